package org.qat4j.recipes;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.RPReLU;

/**
 * VGG-small for 28x28 inputs, the second architecture of the CNN recipes:
 * <pre>
 *   FP conv3x3(64) BN | [Q conv3x3(64) BN, maxpool] [Q conv3x3(128) BN] [Q conv3x3(128) BN, maxpool]
 *   [Q conv3x3(256) BN, maxpool] | RPReLU, global average pooling, FP dense classifier
 * </pre>
 */
public abstract class FmnistVggSmall extends BinaryCnnRecipe {

    protected FmnistVggSmall() {
        epochs.set(15);
        batchSize.set(128);
        learningRate.set(2e-3);
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        g.addLayer("stem", new QuantConv2D.Builder().nOut(64).kernelSize(3, 3).padding(1, 1).hasBias(false)
                .activation(Activation.IDENTITY).build(), INPUT);
        g.addLayer("stem-bn", new NativeBatchNorm.Builder().build(), "stem");
        String x = quantConvBn(g, "c1", "stem-bn", 64, 3, 1);
        x = pool(g, "p1", x);
        x = quantConvBn(g, "c2", x, 128, 3, 1);
        x = quantConvBn(g, "c3", x, 128, 3, 1);
        x = pool(g, "p2", x);
        x = quantConvBn(g, "c4", x, 256, 3, 1);
        x = pool(g, "p3", x);
        g.addLayer("act", new RPReLU.Builder().build(), x);
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "act");
        return new ComputationGraph(g.setOutputs(classifier(g, "gap")).build());
    }

    private static String pool(ComputationGraphConfiguration.GraphBuilder g, String name, String in) {
        g.addLayer(name, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), in);
        return name;
    }
}
