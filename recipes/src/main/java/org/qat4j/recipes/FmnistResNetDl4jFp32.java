package org.qat4j.recipes;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.Quantizer;

/**
 * {@code fmnist-resnet-dl4j-fp32}: the FP32 ResNet built from DL4J's own {@code ConvolutionLayer} and
 * {@code BatchNormalization}, for throughput comparisons with the qat4j layers (BENCHMARKS.md).
 */
public class FmnistResNetDl4jFp32 extends FmnistResNetFp32 {

    @Override
    public String name() {
        return "fmnist-resnet-dl4j-fp32";
    }

    @Override
    public String description() {
        return "the FP32 ResNet on DL4J's own convolution and batch-norm layers (speed reference)";
    }

    @Override
    protected Layer conv(int out, int kernel, int stride, Quantizer weights, double clip) {
        return new ConvolutionLayer.Builder(kernel, kernel).nOut(out).stride(stride, stride)
                .convolutionMode(ConvolutionMode.Same).hasBias(false).activation(Activation.IDENTITY).build();
    }

    @Override
    protected Layer batchNorm() {
        return new BatchNormalization.Builder().build();
    }
}
