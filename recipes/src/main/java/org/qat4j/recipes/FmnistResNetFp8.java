package org.qat4j.recipes;

import org.qat4j.estimators.Nd;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;
import org.qat4j.estimators.Quantizer;

/** `fmnist-resnet-fp8`: W8A8 ResNet in FP8 E4M3 (per-channel max scaling of weights, per-tensor of activations). */
public class FmnistResNetFp8 extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-fp8";
    }

    @Override
    public String description() {
        return "W8A8 ResNet in FP8 E4M3 (per-channel max scaling of weights, per-tensor of activations)";
    }

    @Override
    protected Quantizer weights() {
        return new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, 0);
    }

    @Override
    protected Quantizer activations() {
        return new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, Nd.PER_TENSOR);
    }
}
