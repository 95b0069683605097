package org.qat4j.estimators.scaling;

import org.qat4j.estimators.BeanConfig;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;

/**
 * XNOR++ output scaling of a binary convolution: a learnable rank-1 factor over the output tensor.
 * <pre>
 *   y_q[n,c,h,w] = y[n,c,h,w] * alpha_c * beta_h * gamma_w                (alpha, beta, gamma init 1)
 *   dL/dy        = g * Gamma,   Gamma = alpha (x) beta (x) gamma
 *   dL/dalpha_c  = sum_{n,h,w} g y beta_h gamma_w     (and likewise for beta, gamma: product rule)
 * </pre>
 * Applied to NCHW convolution outputs; the parameter shapes come from the output shape.
 */
public class XnorPlusPlusScaling extends BeanConfig implements Quantizer {

    public static final String ALPHA = "alpha";
    public static final String BETA = "beta";
    public static final String GAMMA = "gamma";

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        checkRank(shape.length);
        return List.of(ParamSpec.trainable(ALPHA, new long[] {shape[1]}, 1.0),
                ParamSpec.trainable(BETA, new long[] {shape[2]}, 1.0),
                ParamSpec.trainable(GAMMA, new long[] {shape[3]}, 1.0));
    }

    @Override
    public INDArray forward(INDArray y, Map<String, INDArray> params) {
        return scaled(y, y, params);
    }

    @Override
    public QuantGradient backward(INDArray y, Map<String, INDArray> params, INDArray gradOut) {
        INDArray a = params.get(ALPHA).reshape(1, y.size(1), 1, 1);
        INDArray b = params.get(BETA).reshape(1, 1, y.size(2), 1);
        INDArray c = params.get(GAMMA).reshape(1, 1, 1, y.size(3));
        INDArray gy = gradOut.mul(y);
        INDArray gA = gy.mul(b).muli(c).sum(0, 2, 3);
        INDArray gB = gy.mul(a).muli(c).sum(0, 1, 3);
        INDArray gC = gy.mul(a).muli(b).sum(0, 1, 2);
        return new QuantGradient(scaled(gradOut, y, params),
                Map.of(ALPHA, gA, BETA, gB, GAMMA, gC));
    }

    /** {@code t * Gamma} as a new array, Gamma the rank-1 factor for outputs shaped like y. */
    private static INDArray scaled(INDArray t, INDArray y, Map<String, INDArray> params) {
        checkRank(y.rank());
        return t.mul(params.get(ALPHA).reshape(1, y.size(1), 1, 1))
                .muli(params.get(BETA).reshape(1, 1, y.size(2), 1))
                .muli(params.get(GAMMA).reshape(1, 1, 1, y.size(3)));
    }

    private static void checkRank(int rank) {
        Check.inRange("rank of the xnorpp input (NCHW)", rank, 4, 4);
    }
}
