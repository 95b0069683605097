package org.qat4j.recipes;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.scaling.XnorExactScaling;
import org.qat4j.estimators.sign.ReSteEstimator;

/**
 * {@code fmnist-resnet-reste}: W1A1 ResNet with ReSTE for weights and activations, the exponent o ramped 1 -&gt; 3
 * over the run (cosine), one non-detached weight scale mean|W| per layer, as the ReSTE paper trains.
 */
public class FmnistResNetReste extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-reste";
    }

    @Override
    public String description() {
        return "W1A1 ResNet, ReSTE (o: 1 -> 3 over the run), per-layer mean|W| scale with its gradient";
    }

    @Override
    protected Quantizer weights() {
        return new BinaryWeightQuantizer(ReSteEstimator.scheduled(3.0, epochs.get()), new XnorExactScaling(),
                Nd.PER_TENSOR);
    }

    @Override
    protected Quantizer activations() {
        return ReSteEstimator.scheduled(3.0, epochs.get());
    }
}
