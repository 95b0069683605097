package org.qat4j.recipes.diffusion;

import org.qat4j.estimators.Nd;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;

/**
 * {@code fmnist-ddpm-w4a8-fp}: FP4 E2M1 weights (scaled per output channel to the format's maximum 6) and FP8 E4M3
 * activations (per tensor), quantization-aware training from the FP32 run.
 */
public class FmnistDdpmW4a8Fp extends QuantizedDdpm {

    @Override
    public String name() {
        return "fmnist-ddpm-w4a8-fp";
    }

    @Override
    public String description() {
        return "DDPM U-Net with FP4 E2M1 weights (per-channel max scaling) and FP8 E4M3 activations";
    }

    @Override
    protected Quantizer weights(int group) {
        return new FpQuantizer(FpFormat.E2M1, FpQuantizer.ScaleMode.MAX, 0);
    }

    @Override
    protected Quantizer activations() {
        return new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, Nd.PER_TENSOR);
    }
}
