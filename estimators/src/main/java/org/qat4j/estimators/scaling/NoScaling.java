package org.qat4j.estimators.scaling;

import org.qat4j.estimators.BeanConfig;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** No scaling: {@code W_q = sign(W)}; the backward is the estimator's alone. */
public class NoScaling extends BeanConfig implements WeightScaling {

    @Override
    public INDArray alpha(INDArray wc, Map<String, INDArray> params, int channelAxis) {
        return null;
    }
}
