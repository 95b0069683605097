package org.qat4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.sign.IdentityEstimator;

class QuantDenseTest {

    @Test
    void gradientCheckWithIdentityQuantizers() {
        GradientCheckSupport.checkAll(InputType.feedForward(4), GradientCheckSupport.random(1, 6, 4), 3,
                () -> new Layer[] {
                    new QuantDense.Builder().nOut(5).activation(Activation.TANH)
                            .weightQuantizer(GradientCheckSupport.identityWeights())
                            .inputQuantizer(new IdentityEstimator()).build(),
                    new QuantDense.Builder().nOut(4).activation(Activation.IDENTITY).hasBias(false)
                            .weightQuantizer(GradientCheckSupport.identityWeights()).build()});
    }
}
