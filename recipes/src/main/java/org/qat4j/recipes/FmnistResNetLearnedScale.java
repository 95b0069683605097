package org.qat4j.recipes;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-learned-scale`: W1A1 ResNet, learnable per-channel scale on centred weights (XNOR++ / BiViT). */
public class FmnistResNetLearnedScale extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-learned-scale";
    }

    @Override
    public String description() {
        return "W1A1 ResNet, learnable per-channel scale on centred weights (XNOR++ / BiViT)";
    }

    @Override
    protected Quantizer weights() {
        return new BinaryWeightQuantizer(new SteEstimator(1.0), new LearnedScaling(true), 0);
    }

    @Override
    protected Quantizer activations() {
        return new ApproxSignEstimator();
    }
}
