package org.qat4j.recipes;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
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
        QuantConv2D.Builder conv = new QuantConv2D.Builder().nOut(out).kernelSize(kernel, kernel)
                .stride(stride, stride).padding(kernel / 2, kernel / 2).hasBias(false)
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).weightQuantizer(weights());
        if (latentClip() > 0) {
            conv.latentClip(latentClip());
        }
        Layer c = conv.build();
        g.addLayer(name + "-conv", c, in);
        g.addLayer(name + "-bn", new NativeBatchNorm.Builder().build(), name + "-conv");
        return name + "-bn";
    }
}
