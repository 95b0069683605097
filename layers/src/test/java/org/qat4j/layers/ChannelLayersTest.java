package org.qat4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.sign.IdentityEstimator;

class ChannelLayersTest {

    private static Layer[] stack(boolean conv) {
        Layer first = conv
                ? new QuantConv2D.Builder().nOut(3).kernelSize(2, 2).activation(Activation.IDENTITY).build()
                : new QuantDense.Builder().nOut(3).activation(Activation.IDENTITY).build();
        return new Layer[] {
            first,
            new NativeBatchNorm.Builder().build(),
            new LearnableBias.Builder().build(),
            new QuantActivation.Builder().quantizer(new IdentityEstimator()).learnableThreshold(true).build(),
            new RPReLU.Builder().build(),
        };
    }

    @Test
    void gradientCheckOnFeedForwardInput() {
        GradientCheckSupport.checkAll(InputType.feedForward(4), GradientCheckSupport.random(5, 8, 4), 3,
                () -> stack(false));
    }

    @Test
    void gradientCheckOnConvolutionalInput() {
        GradientCheckSupport.checkAll(InputType.convolutional(4, 4, 2), GradientCheckSupport.random(6, 3, 2, 4, 4), 3,
                () -> stack(true));
    }
}
