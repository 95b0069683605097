package org.qat4j.recipes.diffusion;

import org.qat4j.estimators.Quantizer;

/** {@code fmnist-ddpm-fp32}: the full-precision DDPM U-Net, the teacher of the quantized variants. */
public class FmnistDdpmFp32 extends FmnistDdpm {

    @Override
    public String name() {
        return "fmnist-ddpm-fp32";
    }

    @Override
    public String description() {
        return "DDPM U-Net on Fashion-MNIST 32x32, full precision (teacher of the quantized diffusion recipes)";
    }

    @Override
    protected Quantizer weights(int group) {
        return null;
    }

    @Override
    protected Quantizer activations() {
        return null;
    }
}
