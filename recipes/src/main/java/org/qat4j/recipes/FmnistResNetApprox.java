package org.qat4j.recipes;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-approx`: W1A1 ResNet, ApproxSign (Bi-Real) activations, STE + XNOR weights. */
public class FmnistResNetApprox extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-approx";
    }

    @Override
    public String description() {
        return "W1A1 ResNet, ApproxSign (Bi-Real) activations, STE + XNOR weights";
    }

    @Override
    protected Quantizer weights() {
        return new BinaryWeightQuantizer(new SteEstimator(1.0), new XnorScaling(), 0);
    }

    @Override
    protected Quantizer activations() {
        return new ApproxSignEstimator();
    }
}
