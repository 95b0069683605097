package org.qat4j.recipes;


import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-fp32`: ResNet-style CNN in full precision (the teacher and reference). */
public class FmnistResNetFp32 extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-fp32";
    }

    @Override
    public String description() {
        return "ResNet-style CNN in full precision (the teacher and reference)";
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
