package org.qat4j.recipes.diffusion;

import org.qat4j.estimators.Nd;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;

/**
 * {@code fmnist-ddpm-fp8}: W8A8 in FP8 E4M3, quantization-aware training from the FP32 run: weights scaled per output channel to the
 * format's maximum, activations per tensor.
 */
public class FmnistDdpmFp8 extends QuantizedDdpm {

    @Override
    public String name() {
        return "fmnist-ddpm-fp8";
    }

    @Override
    public String description() {
        return "DDPM U-Net W8A8 in FP8 E4M3 (per-channel max scaling of weights, per-tensor of activations)";
    }

    @Override
    protected Quantizer weights(int group) {
        return new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, 0);
    }

    @Override
    protected Quantizer activations() {
        return new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, Nd.PER_TENSOR);
    }
}
