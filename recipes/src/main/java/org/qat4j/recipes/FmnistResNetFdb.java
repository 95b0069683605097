package org.qat4j.recipes;

import org.qat4j.estimators.multibit.DualBinarizer;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-fdb`: W2A1 ResNet, flexible dual binarization (DB-LLM). */
public class FmnistResNetFdb extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-fdb";
    }

    @Override
    public String description() {
        return "W2A1 ResNet, flexible dual binarization (DB-LLM)";
    }

    @Override
    protected Quantizer weights() {
        return new DualBinarizer(0);
    }

    @Override
    protected Quantizer activations() {
        return new ApproxSignEstimator();
    }
}
