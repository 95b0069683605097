package org.qat4j.layers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.scaling.XnorPlusPlusScaling;
import org.qat4j.estimators.sign.IdentityEstimator;

class QuantConv2DTest {

    private static final InputType IN = InputType.convolutional(6, 5, 2);

    @Test
    void gradientCheckTruncateSameStrideDilationAndNoBias() {
        GradientCheckSupport.checkAll(IN, GradientCheckSupport.random(2, 2, 2, 6, 5), 3, () -> new Layer[] {
            new QuantConv2D.Builder().nOut(3).kernelSize(3, 3).padding(1, 1).activation(Activation.TANH)
                    .weightQuantizer(GradientCheckSupport.identityWeights()).inputQuantizer(new IdentityEstimator())
                    .build(),
            new QuantConv2D.Builder().nOut(2).kernelSize(2, 3).stride(2, 2).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.IDENTITY).hasBias(false)
                    .weightQuantizer(GradientCheckSupport.identityWeights()).build(),
            new QuantConv2D.Builder().nOut(2).kernelSize(2, 2).dilation(2, 1).activation(Activation.SIGMOID).build()});
    }

    @Test
    void gradientCheckOutputScaling() {
        GradientCheckSupport.checkAll(IN, GradientCheckSupport.random(3, 2, 2, 6, 5), 3, () -> new Layer[] {
            new QuantConv2D.Builder().nOut(3).kernelSize(3, 3).activation(Activation.TANH)
                    .weightQuantizer(GradientCheckSupport.identityWeights())
                    .outputScaling(new XnorPlusPlusScaling()).build()});
    }

    @Test
    void gradientCheckDepthwise() {
        GradientCheckSupport.checkAll(IN, GradientCheckSupport.random(4, 2, 2, 6, 5), 3, () -> new Layer[] {
            new QuantDepthwiseConv2D.Builder().depthMultiplier(2).kernelSize(3, 3).padding(1, 1)
                    .activation(Activation.TANH).weightQuantizer(GradientCheckSupport.identityWeights())
                    .inputQuantizer(new IdentityEstimator()).build(),
            new QuantDepthwiseConv2D.Builder().kernelSize(2, 2).stride(2, 2).hasBias(false)
                    .activation(Activation.IDENTITY).build()});
    }
}
