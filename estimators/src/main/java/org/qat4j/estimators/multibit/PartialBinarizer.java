package org.qat4j.estimators.multibit;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;

/**
 * PB, partial binarization (PB-LLM): the salient tails stay at 8 bits, the rest is binarized.
 * <pre>
 *   salient  M = 1{w &lt; q(r/2)} + 1{w &gt; q(1 - r/2)}       (value quantiles of the flattened layer, fixed at init)
 *   W_s      = 8-bit per-row min/max quantization of W, computed once and frozen
 *   alpha    = mean(|W| over non-salient)                     (recomputed each step, detached)
 *   W_q      = M W_s + (1 - M) alpha sign(W)
 *   dL/dW    = g (1 - M)                                      (identity sign backward; salient weights frozen)
 * </pre>
 * The mask and the frozen 8-bit values are non-trainable state, saved with the layer.
 */
public class PartialBinarizer extends ChannelQuantizer {

    public static final String MASK = "salientMask";
    public static final String VALUES = "salientValues";

    private double fraction = 0.1;

    /** 1 bit for the binarized part, 8 for the salient fraction (the salient mask comes on top in storage). */
    @Override
    public double bitsPerValue() {
        return (1 - fraction) + 8 * fraction;
    }

    public PartialBinarizer() {
        super(0);
    }

    public PartialBinarizer(double fraction, int channelAxis) {
        super(channelAxis);
        setFraction(fraction);
    }

    public double getFraction() {
        return fraction;
    }

    public void setFraction(double fraction) {
        this.fraction = Check.inRange("fraction", fraction, 0.0, 1.0);
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        return List.of(ParamSpec.state(MASK, shape, 0.0), ParamSpec.state(VALUES, shape, 0.0),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        INDArray mask = Params.require(params, MASK);
        INDArray values = Params.require(params, VALUES);
        if (Params.firstCall(params)) {
            freeze(w, mask, values);
        }
        INDArray binary = mask.rsub(1.0);
        double kept = binary.sumNumber().doubleValue();
        double alpha = kept == 0 ? 0.0 : Transforms.abs(w, true).muli(binary).sumNumber().doubleValue() / kept;
        return Nd.sign(w).muli(alpha).muli(binary).addi(values.mul(mask));
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        return new QuantGradient(Params.require(params, MASK).rsub(1.0).muli(gradOut));
    }

    private void freeze(INDArray w, INDArray mask, INDArray values) {
        INDArray sorted = Nd4j.sort(w.ravel().dup(), true);
        long n = sorted.length();
        long k = (long) Math.floor(fraction / 2.0 * n);
        if (k == 0) {
            mask.assign(0.0);
            values.assign(0.0);
            return;
        }
        double lo = sorted.getDouble(k);
        double hi = sorted.getDouble(n - 1 - k);
        INDArray below = w.rsub(lo);
        Nd.greaterThanInPlace(below, 0.0);
        INDArray above = w.sub(hi);
        Nd.greaterThanInPlace(above, 0.0);
        mask.assign(below.addi(above));

        int[] axes = Nd.reduceAxes(w.rank(), channelAxis);
        INDArray min = w.min(true, axes);
        INDArray range = w.max(true, axes).subi(min);
        INDArray step = range.divi(255.0);
        INDArray safeStep = Transforms.max(step, 1e-30, true);
        INDArray codes = w.sub(min).divi(safeStep);
        Nd4j.exec(new Rint(codes, codes));
        values.assign(codes.muli(safeStep).addi(min).muli(mask));
    }
}
