package org.qat4j.recipes;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.layers.RPReLU;

/**
 * The ResNet-style network of the Fashion-MNIST recipes, built from Bi-Real / ReActNet blocks:
 * <pre>
 *   stem:   FP conv3x3(w) + BN                                               28x28
 *   block:  out = RPReLU(BN(conv3x3(Q_a(x))) + shortcut(x))                   real-valued shortcut around every conv
 *   stages: w, 2w, 4w channels at 28, 14, 7; the first block of a stage has stride 2 and the shortcut
 *           avgpool2x2 + FP conv1x1 + BN (Bi-Real's downsampling)
 *   head:   global average pooling, FP dense classifier
 * </pre>
 * Subclasses choose the quantizers of the block convolutions ({@link #weights()}, {@link #activations()}); with
 * none the same network is the FP32 twin.
 */
public abstract class FmnistResNet extends BinaryCnnRecipe {

    public final Hyperparameters.Param<Integer> width = hyperparameters().integer("width", 32, 4, 512,
            "channels of the first stage (doubled per stage)");
    public final Hyperparameters.Param<Integer> blocks = hyperparameters().integer("blocks", 2, 1, 16,
            "blocks per stage");

    protected FmnistResNet() {
        // the budget of record of BENCHMARKS.md: the defaults reproduce its accuracy table
        epochs.set(10);
        batchSize.set(128);
        learningRate.set(2e-3);
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        int w = width.get();
        g.addLayer("stem", conv(w, 3, 1, null, 0), INPUT);
        g.addLayer("stem-bn", batchNorm(), "stem");
        String x = "stem-bn";
        int channels = w;
        for (int stage = 0; stage < 3; stage++) {
            int out = w << stage;
            for (int b = 0; b < blocks.get(); b++) {
                boolean down = stage > 0 && b == 0;
                x = block(g, "s" + stage + "b" + b, x, channels, out, down);
                channels = out;
            }
        }
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        return new ComputationGraph(g.setOutputs(classifier(g, "gap")).build());
    }

    private String block(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int cin, int cout,
            boolean down) {
        String main = quantConvBn(g, name, in, cout, 3, down ? 2 : 1);
        String shortcut = in;
        if (down || cin != cout) {
            String pooled = in;
            if (down) {
                g.addLayer(name + "-pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2)
                        .stride(2, 2).build(), in);
                pooled = name + "-pool";
            }
            g.addLayer(name + "-proj", conv(cout, 1, 1, null, 0), pooled);
            g.addLayer(name + "-proj-bn", batchNorm(), name + "-proj");
            shortcut = name + "-proj-bn";
        }
        g.addVertex(name + "-add", new ElementWiseVertex(ElementWiseVertex.Op.Add), main, shortcut);
        g.addLayer(name + "-out", new RPReLU.Builder().build(), name + "-add");
        return name + "-out";
    }
}
