package org.qat4j.recipes;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.Quantizer;
import org.qat4j.framework.recipe.FashionMnistRecipe;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantConv2D;

/**
 * Base of the CNN recipes: the quantization of the inner convolutions (weights and activations) is what the variants
 * change; the first convolution and the classifier stay full precision (qat4j rule). With both quantizers absent the
 * same network is the FP32 twin.
 */
public abstract class BinaryCnnRecipe extends FashionMnistRecipe {

    /** Quantizer of the inner convolutions' weights (output channels on axis 0), or null for full precision. */
    protected abstract Quantizer weights();

    /** Quantizer of the inner convolutions' inputs, or null for full precision. */
    protected abstract Quantizer activations();

    /** Latent weight clip of the quantized convolutions; 0 for none. */
    protected double latentClip() {
        return weights() == null ? 0 : 1.0;
    }

    /** Whether the activation quantizer learns a per-channel threshold (RSign). */
    protected boolean learnableThreshold() {
        return true;
    }

    /**
     * Adds {@code BN(conv(Q_a(x)))} after {@code input}: the activation quantizer as its own layer, then the
     * quantized convolution and a batch normalization; returns the name of the last vertex.
     */
    protected String quantConvBn(ComputationGraphConfiguration.GraphBuilder g, String name, String input, int out,
            int kernel, int stride) {
        String in = input;
        Quantizer a = activations();
        if (a != null) {
            g.addLayer(name + "-act", new QuantActivation.Builder().quantizer(a)
                    .learnableThreshold(learnableThreshold()).build(), in);
            in = name + "-act";
        }
        g.addLayer(name + "-conv", conv(out, kernel, stride, weights(), latentClip()), in);
        g.addLayer(name + "-bn", batchNorm(), name + "-conv");
        return name + "-bn";
    }

    /** A bias-free convolution with "same" padding; the quantized layers run on the libnd4j ops. */
    protected Layer conv(int out, int kernel, int stride, Quantizer weights, double clip) {
        QuantConv2D.Builder conv = new QuantConv2D.Builder().nOut(out).kernelSize(kernel, kernel)
                .stride(stride, stride).padding(kernel / 2, kernel / 2).hasBias(false)
                .activation(Activation.IDENTITY).weightQuantizer(weights);
        if (clip > 0) {
            conv.latentClip(clip);
        }
        return conv.build();
    }

    /** The batch normalization of the network. */
    protected Layer batchNorm() {
        return new NativeBatchNorm.Builder().build();
    }
}
