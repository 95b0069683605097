package org.qat4j.recipes.diffusion;

import org.qat4j.estimators.fp.FpFormat;

/**
 * {@code fmnist-ddpm-w4a8-fp}: FP4 E2M1 weights and FP8 E4M3 activations, quantization-aware or post-training
 * ({@link FloatingPointDdpm}).
 */
public class FmnistDdpmW4a8Fp extends FloatingPointDdpm {

    @Override
    public String name() {
        return "fmnist-ddpm-w4a8-fp";
    }

    @Override
    public String description() {
        return "DDPM U-Net with FP4 E2M1 weights and FP8 E4M3 activations; QAT from fmnist-ddpm-fp32, or PTQ with "
                + "learned rounding (qat4j quantize)";
    }

    @Override
    protected FpFormat weightFormat() {
        return FpFormat.E2M1;
    }

    @Override
    protected FpFormat activationFormat() {
        return FpFormat.E4M3;
    }
}
