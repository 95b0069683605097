package org.qat4j.estimators.multibit;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;

/**
 * FDB, flexible dual binarization (DB-LLM): a 2-bit grid split into two learnable {0,1} bases.
 * <pre>
 *   s = max|w_group| / 2,   a1 = 2s,  a2 = -s               (init, per group = output channel)
 *   b1 = H(w - (a1 + a2)/2),   b2 = H(-(w - a1 b1 - a2/2)),   H(x) = 1{x &gt;= 0}
 *   w_hat = a1 b1 + a2 b2                                    (levels {a2, 0, a1 + a2, a1} = {-s, 0, s, 2s})
 *   dL/dw = g * 1{lo &lt;= w &lt;= hi},  [lo, hi] the span of the levels ([-s, 2s] at init)
 *   dL/da1 = sum g b1,   dL/da2 = sum g b2
 * </pre>
 * At inference {@code y = a1 (b1 . x) + a2 (b2 . x)}: two sparse {0,1} products.
 */
public class DualBinarizer extends ChannelQuantizer {

    public static final String A1 = "a1";
    public static final String A2 = "a2";

    @Override
    public double bitsPerValue() {
        return 2;
    }

    public DualBinarizer() {
        super(0);
    }

    public DualBinarizer(int channelAxis) {
        super(channelAxis);
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        long[] c = Nd.channelShape(shape, channelAxis);
        return List.of(ParamSpec.trainable(A1, c, 1.0), ParamSpec.trainable(A2, c, -0.5),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        INDArray[] bases = bases(w, params);
        return bases[0].muli(a(params, A1, w)).addi(bases[1].muli(a(params, A2, w)));
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        INDArray[] bases = bases(w, params);
        INDArray a1 = a(params, A1, w);
        INDArray a2 = a(params, A2, w);
        INDArray sum = a1.add(a2);
        INDArray lo = Transforms.min(Transforms.min(a1, a2), Transforms.min(sum, 0.0, false), false);
        INDArray hi = Transforms.max(Transforms.max(a1, a2), Transforms.max(sum, 0.0, false), false);
        INDArray gradIn = Nd.within(w, lo, hi).muli(gradOut);
        return new QuantGradient(gradIn, Map.of(
                A1, Nd.sumPerChannel(bases[0].muli(gradOut), channelAxis),
                A2, Nd.sumPerChannel(bases[1].muli(gradOut), channelAxis)));
    }

    /** {b1, b2} as new float arrays; initialises a1, a2 on the first call. */
    private INDArray[] bases(INDArray w, Map<String, INDArray> params) {
        if (Params.firstCall(params)) {
            INDArray s = Transforms.abs(w, true).max(true, Nd.reduceAxes(w.rank(), channelAxis)).muli(0.5);
            Params.require(params, A1).assign(s.mul(2.0).reshape(params.get(A1).shape()));
            Params.require(params, A2).assign(s.neg().reshape(params.get(A2).shape()));
        }
        INDArray a1 = a(params, A1, w);
        INDArray a2 = a(params, A2, w);
        INDArray b1 = heaviside(w.sub(a1.add(a2).muli(0.5)));
        INDArray b2 = heaviside(w.sub(b1.mul(a1)).subi(a2.mul(0.5)).negi());
        return new INDArray[] {b1, b2};
    }

    private INDArray a(Map<String, INDArray> params, String name, INDArray w) {
        return Nd.broadcastable(Params.require(params, name), w.rank(), channelAxis);
    }

    /** {@code H(x) = 1{x >= 0}}, in place. */
    private static INDArray heaviside(INDArray x) {
        return Nd.greaterThanInPlace(x.negi(), 0.0).rsubi(1.0);
    }
}
