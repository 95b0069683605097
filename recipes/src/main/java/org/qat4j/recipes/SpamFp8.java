package org.qat4j.recipes;

import org.qat4j.estimators.Nd;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;

/**
 * {@code spam-fp8}: W8A8 in FP8 E4M3: encoder linear weights scaled by their maximum per output channel, linear
 * inputs and q, k, v by the tensor's maximum, saturating, rounding to nearest even.
 */
public class SpamFp8 extends SpamTransformer {

    @Override
    public String name() {
        return "spam-fp8";
    }

    @Override
    public String description() {
        return "W8A8 in FP8 E4M3 (per-channel max scaling of weights, per-tensor of activations and q, k, v)";
    }

    @Override
    protected Quantizer weights() {
        return new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, 0);
    }

    @Override
    protected Quantizer activations() {
        return fp8Tensor();
    }

    @Override
    protected Quantizer attentionInputs() {
        return fp8Tensor();
    }

    private static Quantizer fp8Tensor() {
        return new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, Nd.PER_TENSOR);
    }
}
