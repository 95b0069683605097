package org.qat4j.framework.metrics;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.framework.recipe.FashionMnistRecipe;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantConv2D;

/**
 * A full-precision test classifier with the head of the real recipes: two convolutions, global average pooling
 * {@code gap} ({@value #WIDTH} features) and the {@code logits} dense layer.
 */
public class TinyClassifier extends FashionMnistRecipe {

    static final int WIDTH = 16;

    public TinyClassifier() {
        epochs.set(2);
        batchSize.set(32);
        learningRate.set(2e-2);
        trainLimit.set(512);
        testLimit.set(128);
    }

    @Override
    public String name() {
        return "tiny-classifier";
    }

    @Override
    public String description() {
        return "test FP32 classifier with a logits head";
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        g.addLayer("c1", new QuantConv2D.Builder().nOut(8).kernelSize(3, 3).stride(2, 2)
                .activation(Activation.RELU).build(), INPUT);
        g.addLayer("bn1", new NativeBatchNorm.Builder().build(), "c1");
        g.addLayer("c2", new QuantConv2D.Builder().nOut(WIDTH).kernelSize(3, 3).stride(2, 2)
                .activation(Activation.RELU).build(), "bn1");
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c2");
        return new ComputationGraph(g.setOutputs(classifier(g, "gap")).build());
    }
}
