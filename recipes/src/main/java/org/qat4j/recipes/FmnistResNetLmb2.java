package org.qat4j.recipes;

import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-lmb2`: W2A1 ResNet, learnable multi-basis binarization of order 2 (BinaryDM). */
public class FmnistResNetLmb2 extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-lmb2";
    }

    @Override
    public String description() {
        return "W2A1 ResNet, learnable multi-basis binarization of order 2 (BinaryDM)";
    }

    @Override
    protected Quantizer weights() {
        return new LmbBinarizer(2, 0);
    }

    @Override
    protected Quantizer activations() {
        return new ApproxSignEstimator();
    }
}
