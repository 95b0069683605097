package org.qat4j.framework.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.schedule.DelayedQuantizer;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.layers.QuantActivation;

/**
 * A checkpoint read back computes what the trained network computes: quantizer state that lives in the configuration
 * only (a {@link DelayedQuantizer} switched on at an iteration) follows the saved iteration count, in training and in
 * inference alike, so evaluation, sampling and distillation see the model the run trained.
 */
class CheckpointQuantizerStateTest {

    private static final int SWITCH = 2;

    @TempDir
    Path tmp;

    /** dense -> 2-bit LSQ switched on at iteration 2 -> softmax. */
    private static ComputationGraph net() {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Sgd(0.05)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("q", new QuantActivation.Builder().quantizer(new DelayedQuantizer(
                        new LsqQuantizer(2, true, false), SWITCH)).build(), "dense")
                .addLayer("out", new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build(), "q")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        net.init();
        return net;
    }

    private static DelayedQuantizer quantizer(ComputationGraph net) {
        return (DelayedQuantizer) ((QuantActivation) net.getLayer("q").conf().getLayer()).getQuantizer();
    }

    @Test
    void aDelayedQuantizerIsOnInTheCheckpointExactlyWhenItIsOnInTheTrainedNetwork() throws Exception {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        CheckpointStore store = new CheckpointStore(tmp, Trainer.recipePackages());
        TinyRecipe tiny = (TinyRecipe) Recipes.create("tiny");
        for (int steps = SWITCH - 1; steps <= SWITCH; steps++) {
            ComputationGraph net = net();
            for (int s = 0; s < steps; s++) {
                net.fit(new DataSet(x, y));
            }
            // after n steps the network infers at iteration n
            boolean on = steps >= SWITCH;
            INDArray expected = net.outputSingle(x);
            assertEquals(on, quantizer(net).switchedOn(), "in the network after " + steps + " steps");
            CheckpointStore.Loaded loaded = store.load(store.save(net, tiny.firstEpochState(steps)));
            assertEquals(expected, loaded.model().outputSingle(x), "the checkpoint computes what the network did");
            assertEquals(on, quantizer(loaded.model()).switchedOn(), "in the checkpoint after " + steps + " steps");
            loaded.model().getLayer("q").setIterationCount(on ? 0 : SWITCH);
            assertNotEquals(expected, loaded.model().outputSingle(x), "the quantizer's state decides the output");
        }
    }
}
