package org.qat4j.recipes;

import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-w4a4-lsq`: W4A4 ResNet, LSQ learned step sizes. */
public class FmnistResNetW4a4Lsq extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-w4a4-lsq";
    }

    @Override
    public String description() {
        return "W4A4 ResNet, LSQ learned step sizes";
    }

    @Override
    protected Quantizer weights() {
        return new LsqQuantizer(4, true, false);
    }

    @Override
    protected Quantizer activations() {
        return new LsqQuantizer(4, true, true);
    }
}
