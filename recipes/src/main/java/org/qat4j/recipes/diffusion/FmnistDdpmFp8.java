package org.qat4j.recipes.diffusion;

import org.qat4j.estimators.fp.FpFormat;

/** {@code fmnist-ddpm-fp8}: W8A8 in FP8 E4M3, quantization-aware or post-training ({@link FloatingPointDdpm}). */
public class FmnistDdpmFp8 extends FloatingPointDdpm {

    @Override
    public String name() {
        return "fmnist-ddpm-fp8";
    }

    @Override
    public String description() {
        return "DDPM U-Net W8A8 in FP8 E4M3 (per-channel weight scales); QAT from fmnist-ddpm-fp32, or PTQ with "
                + "learned rounding (qat4j quantize)";
    }

    @Override
    protected FpFormat weightFormat() {
        return FpFormat.E4M3;
    }

    @Override
    protected FpFormat activationFormat() {
        return FpFormat.E4M3;
    }
}
