package org.qat4j.framework.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantActivation;

/**
 * The trainer's weight average against a hand computation, on a graph with trainable weights and the two kinds of
 * non-trainable state the recipes have: batch-norm running statistics and a quantizer's "initialised" flag.
 */
class WeightAverageTest {

    /** The entries of the graph below that are state, named here rather than taken from the layers' updaters. */
    private static final Set<String> STATE = Set.of("bn_mean", "bn_var", "q_aqInitialised");

    /** dense -> batch norm -> LSQ activation quantizer -> softmax, in DOUBLE, plain SGD. */
    private static ComputationGraph net() {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("bn", new NativeBatchNorm.Builder().build(), "dense")
                .addLayer("q", new QuantActivation.Builder().quantizer(new LsqQuantizer(4, true, false)).build(), "bn")
                .addLayer("out", new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build(), "q")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        net.init();
        assertTrue(net.paramTable().keySet().containsAll(STATE), "state entries: " + net.paramTable().keySet());
        return net;
    }

    private static DataSet batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 16, 4).addi(0.5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(x, y);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> params) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /**
     * Four steps with decay 0.2: the warm-up (1 + n) / (10 + n) is 2/11 after the first step and above 0.2 from the
     * second on; with decay 0.999 the warm-up decides every step.
     */
    @Test
    void averagesWeightsWithTheWarmUpDecayAndCopiesState() {
        check(0.2, new double[] {2.0 / 11, 0.2, 0.2, 0.2});
        check(0.999, new double[] {2.0 / 11, 3.0 / 12, 4.0 / 13});
    }

    private static void check(double decay, double[] handDecays) {
        ComputationGraph net = net();
        Map<String, INDArray> initial = copy(net.paramTable());
        WeightAverage average = new WeightAverage(net, decay, null);
        assertEquals(net.params().reshape(1, net.numParams()), average.average(), "it starts at the parameters");
        Map<String, INDArray> expected = copy(initial);
        for (int n = 1; n <= handDecays.length; n++) {
            net.fit(batch(n));
            double d = handDecays[n - 1];
            for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
                INDArray theta = e.getValue();
                if (STATE.contains(e.getKey())) {
                    expected.put(e.getKey(), theta.dup());
                } else {
                    INDArray ema = expected.get(e.getKey());
                    ema.addi(theta.sub(ema).muli(1 - d));
                }
            }
            average.update(net, n);
            Map<String, INDArray> actual = average.with(net, () -> copy(net.paramTable()));
            for (String key : expected.keySet()) {
                double err = expected.get(key).sub(actual.get(key)).amaxNumber().doubleValue();
                assertTrue(err < 1e-12, "decay " + decay + ", step " + n + ", " + key + ": off by " + err);
            }
        }
        Map<String, INDArray> trained = net.paramTable();
        Map<String, INDArray> averaged = average.with(net, () -> copy(net.paramTable()));
        // the state moved in training, so copying and averaging it would differ
        for (String key : STATE) {
            assertNotEquals(initial.get(key), trained.get(key), key + " changed in training");
            assertEquals(trained.get(key), averaged.get(key), key + " is copied, not averaged");
        }
        assertEquals(1.0, averaged.get("q_aqInitialised").getDouble(0), "a flag stays a flag");
        for (String key : java.util.List.of("dense_W", "bn_gamma", "q_aqStep", "out_b")) {
            assertNotEquals(trained.get(key), averaged.get(key), key + " is averaged");
        }
    }

    @Test
    void withRunsOnTheAverageAndPutsTheTrainedParametersBack() {
        ComputationGraph net = net();
        WeightAverage average = new WeightAverage(net, 0.999, null);
        net.fit(batch(1));
        average.update(net, 1);
        net.fit(batch(2));
        INDArray trained = net.params().dup();
        INDArray seen = average.with(net, () -> net.params().dup());
        assertEquals(average.average(), seen.reshape(1, net.numParams()));
        assertNotEquals(trained, seen);
        assertEquals(trained, net.params(), "the trained parameters are back");
        assertThrows(IllegalStateException.class, () -> average.with(net, () -> {
            throw new IllegalStateException("evaluation failed");
        }));
        assertEquals(trained, net.params(), "the trained parameters are back after a failure too");
        INDArray output = average.with(net, () -> net.outputSingle(batch(3).getFeatures()));
        net.setParams(average.average());
        assertEquals(net.outputSingle(batch(3).getFeatures()), output, "the task saw the averaged network");
    }

    @Test
    void startsFromASavedAverageOfTheRightSizeOnly() {
        ComputationGraph net = net();
        INDArray saved = Nd4j.rand(DataType.DOUBLE, 1, net.numParams());
        WeightAverage resumed = new WeightAverage(net, 0.999, saved);
        assertEquals(saved, resumed.average());
        assertNotEquals(net.params(), resumed.average());
        INDArray before = saved.dup();
        resumed.update(net, 7);
        assertEquals(before, saved, "the saved array is copied, not updated in place");

        for (INDArray wrong : java.util.List.of(Nd4j.zeros(DataType.DOUBLE, 1, net.numParams() + 1),
                Nd4j.zeros(DataType.DOUBLE, net.numParams() - 1), Nd4j.zeros(DataType.FLOAT, 1, net.numParams()))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new WeightAverage(net, 0.999, wrong));
            assertTrue(e.getMessage().startsWith("the checkpoint's weight average has " + wrong.length() + " "
                    + wrong.dataType()) && e.getMessage().endsWith("the model has " + net.numParams() + " DOUBLE"),
                    e.getMessage());
        }
        assertSame(DataType.DOUBLE, new WeightAverage(net, 0.5, null).average().dataType());
    }
}
