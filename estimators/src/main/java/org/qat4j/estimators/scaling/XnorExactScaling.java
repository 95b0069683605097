package org.qat4j.estimators.scaling;

import org.qat4j.estimators.BeanConfig;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Nd;

/**
 * XNOR-Net scaling with the gradient through alpha (ReSTE's rule when applied per tensor).
 * <pre>
 *   alpha_o = mean_i |W_o,i|,   W_q = alpha_o sign(W)
 *   dL/dW_i = alpha_o g_i est'(W_i) + (sign(W_i) / n) sum_j sign(W_j) g_j       (j over channel o, n its size)
 * </pre>
 */
public class XnorExactScaling extends BeanConfig implements WeightScaling {

    @Override
    public INDArray alpha(INDArray wc, Map<String, INDArray> params, int channelAxis) {
        return Nd.meanAbs(wc, channelAxis);
    }

    @Override
    public void backward(INDArray wc, INDArray g, INDArray gradIn, Map<String, INDArray> params, int channelAxis,
            Map<String, INDArray> paramGrads) {
        INDArray b = Nd.sign(wc);
        int[] axes = Nd.reduceAxes(wc.rank(), channelAxis);
        long n = wc.length() / (channelAxis == Nd.PER_TENSOR ? 1 : wc.size(channelAxis));
        INDArray perChannel = b.mul(g).sum(true, axes).divi(n);
        gradIn.addi(b.mul(perChannel));
    }
}
