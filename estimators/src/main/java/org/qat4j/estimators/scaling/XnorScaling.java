package org.qat4j.estimators.scaling;

import org.qat4j.estimators.BeanConfig;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Nd;

/**
 * XNOR-Net scaling, detached.
 * <pre>
 *   alpha_o = mean_i |W_o,i|        (over the fan-in of output channel o; no gradient through alpha)
 *   W_q     = alpha_o sign(W)
 *   dL/dW   = alpha_o g est'(W)
 * </pre>
 */
public class XnorScaling extends BeanConfig implements WeightScaling {

    @Override
    public INDArray alpha(INDArray wc, Map<String, INDArray> params, int channelAxis) {
        return Nd.meanAbs(wc, channelAxis);
    }
}
