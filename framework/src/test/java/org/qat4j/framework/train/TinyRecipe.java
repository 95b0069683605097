package org.qat4j.framework.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.framework.recipe.FashionMnistRecipe;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantConv2D;

/** A recipe small enough for unit tests: two convolutions, the second binary, on a few hundred images. */
public class TinyRecipe extends FashionMnistRecipe {

    public TinyRecipe() {
        epochs.set(2);
        batchSize.set(32);
        learningRate.set(5e-3);
        trainLimit.set(256);
        testLimit.set(128);
        // the resume tests then cover augmented batches too
        flip.set(true);
        shift.set(2);
    }

    @Override
    public String name() {
        return "tiny";
    }

    @Override
    public String description() {
        return "test recipe";
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        g.addLayer("c1", new QuantConv2D.Builder().nOut(8).kernelSize(3, 3).stride(2, 2)
                .activation(Activation.IDENTITY).build(), INPUT);
        g.addLayer("bn1", new NativeBatchNorm.Builder().build(), "c1");
        g.addLayer("sign", QuantActivation.rsign().build(), "bn1");
        g.addLayer("c2", new QuantConv2D.Builder().nOut(8).kernelSize(3, 3).stride(2, 2).hasBias(false)
                .latentClip(1.0).activation(Activation.IDENTITY)
                .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(), new XnorScaling(), 0)).build(), "sign");
        g.addLayer("bn2", new NativeBatchNorm.Builder().build(), "c2");
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn2");
        g.addLayer("out", new OutputLayer.Builder().nOut(CLASSES).activation(Activation.SOFTMAX).build(), "gap");
        return new ComputationGraph(g.setOutputs("out").build());
    }

    /** The state of a run of this recipe in its first epoch, after {@code iteration} steps. */
    CheckpointState firstEpochState(int iteration) {
        CheckpointState s = new CheckpointState();
        s.recipe = name();
        s.hyperparameters = hyperparameters().values();
        s.batch = iteration;
        s.iteration = iteration;
        return s;
    }
}
