package org.qat4j.recipes;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.SteEstimator;

/** {@code fmnist-vgg-small-w1a1}: VGG-small with binary weights (STE, XNOR) and binary activations (ApproxSign). */
public class FmnistVggSmallW1a1 extends FmnistVggSmall {

    @Override
    public String name() {
        return "fmnist-vgg-small-w1a1";
    }

    @Override
    public String description() {
        return "VGG-small CNN, W1A1 (STE + XNOR weights, RSign activations)";
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
