package org.qat4j.framework.diffusion;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A noise predictor {@code eps_theta(x_t, t)}: the network (and how it is fed t) is the caller's concern. */
@FunctionalInterface
public interface EpsilonModel {

    /**
     * @param xt noised images [N, C, H, W]
     * @param t  each sample's 0-based timestep ({@link NoiseSchedule})
     * @return the predicted noise, xt's shape
     */
    INDArray predict(INDArray xt, int[] t);
}
