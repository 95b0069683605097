package org.qat4j.recipes;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-xnor`: W1A1 ResNet, XNOR-Net: per-channel mean|W| scaling, STE. */
public class FmnistResNetXnor extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-xnor";
    }

    @Override
    public String description() {
        return "W1A1 ResNet, XNOR-Net: per-channel mean|W| scaling, STE";
    }

    @Override
    protected Quantizer weights() {
        return new BinaryWeightQuantizer(new SteEstimator(1.0), new XnorScaling(), 0);
    }

    @Override
    protected Quantizer activations() {
        return new SteEstimator(1.0);
    }
}
