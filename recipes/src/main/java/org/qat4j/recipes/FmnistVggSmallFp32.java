package org.qat4j.recipes;

import org.qat4j.estimators.Quantizer;

/** {@code fmnist-vgg-small-fp32}: VGG-small in full precision. */
public class FmnistVggSmallFp32 extends FmnistVggSmall {

    @Override
    public String name() {
        return "fmnist-vgg-small-fp32";
    }

    @Override
    public String description() {
        return "VGG-small CNN in full precision";
    }

    @Override
    protected Quantizer weights() {
        return null;
    }

    @Override
    protected Quantizer activations() {
        return null;
    }
}
