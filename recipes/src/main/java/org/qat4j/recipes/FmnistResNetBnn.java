package org.qat4j.recipes;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.NoScaling;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-bnn`: W1A1 ResNet, plain sign with the straight-through estimator, no scaling. */
public class FmnistResNetBnn extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-bnn";
    }

    @Override
    public String description() {
        return "W1A1 ResNet, plain sign with the straight-through estimator, no scaling";
    }

    @Override
    protected Quantizer weights() {
        return new BinaryWeightQuantizer(new SteEstimator(1.0), new NoScaling(), 0);
    }

    @Override
    protected Quantizer activations() {
        return new SteEstimator(1.0);
    }
}
