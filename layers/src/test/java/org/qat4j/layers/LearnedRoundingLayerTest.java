package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.LearnedRoundingQuantizer;
import org.qat4j.layers.impl.QuantConvolutionLayer;

/**
 * Post-training quantization with learned rounding inside a network: frozen weights, the rounding regulariser on V
 * through DL4J's updater and score, hardening by iteration, gradient checks and save/load.
 */
class LearnedRoundingLayerTest {

    /** Training iterations, the end of the beta ramp and the hardening iteration. */
    private static final int ITERATIONS = 6;
    private static final InputType IN = InputType.convolutional(6, 5, 2);
    private static final String V_KEY = QuantizedLayer.paramKey(QuantizedLayer.WEIGHT_QUANT_PREFIX,
            LearnedRoundingQuantizer.V);

    @TempDir
    Path dir;

    private static INDArray random(long seed, long... shape) {
        return GradientCheckSupport.random(seed, shape).castTo(DataType.FLOAT);
    }

    /** Frozen E4M3 conv with learned rounding, then a trainable output layer; l2 everywhere it applies. */
    private static MultiLayerNetwork network(double lambda) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Adam(5e-2)).weightInit(WeightInit.XAVIER).l2(1e-3).list()
                .layer(new QuantConv2D.Builder().nOut(3).kernelSize(3, 3).activation(Activation.TANH)
                        .frozenWeights(true)
                        .weightQuantizer(new LearnedRoundingQuantizer(FpFormat.E4M3, 0, lambda, ITERATIONS)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nOut(2).build())
                .setInputType(IN).build());
        net.init();
        return net;
    }

    private static List<DataSet> batches() {
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < ITERATIONS; i++) {
            out.add(new DataSet(random(10 + i, 8, 2, 6, 5), random(20 + i, 8, 2)));
        }
        return out;
    }

    /** The layer's weights rounded by its V, hard or soft, computed outside the layer from copies of its table. */
    private static INDArray rounded(Layer layer, boolean hard) {
        LearnedRoundingQuantizer q = new LearnedRoundingQuantizer(FpFormat.E4M3, 0);
        Map<String, INDArray> p = new HashMap<>();
        for (String name : List.of(LearnedRoundingQuantizer.V, LearnedRoundingQuantizer.SCALE,
                LearnedRoundingQuantizer.HARD, Params.INITIALISED)) {
            p.put(name, layer.getParam(QuantizedLayer.paramKey(QuantizedLayer.WEIGHT_QUANT_PREFIX, name)).dup());
        }
        if (hard) {
            q.harden(p);
        }
        return q.forward(layer.getParam(QuantizedLayer.WEIGHT_KEY), p);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void frozenWeightsStayWhileVLearnsWithTheRoundingLossAndRoundingHardensAtHardenAt() {
        MultiLayerNetwork net = network(0.01);
        QuantConv2D conf = (QuantConv2D) net.getLayer(0).conf().getLayer();
        LearnedRoundingQuantizer q = (LearnedRoundingQuantizer) conf.getWeightQuantizer();
        assertInstanceOf(NoOp.class, conf.getUpdaterByParam(QuantizedLayer.WEIGHT_KEY));
        assertInstanceOf(NoOp.class, conf.getUpdaterByParam(QuantizedLayer.BIAS_KEY));
        assertInstanceOf(Adam.class, conf.getUpdaterByParam(V_KEY));
        assertEquals(List.of(), conf.getRegularizationByParam(QuantizedLayer.WEIGHT_KEY));
        assertEquals(List.of(), conf.getRegularizationByParam(QuantizedLayer.BIAS_KEY));
        assertEquals(List.of(q.roundingRegularizer()), conf.getRegularizationByParam(V_KEY));
        assertFalse(net.getLayer(1).conf().getLayer().getRegularizationByParam("W").isEmpty(), "l2 is configured");

        long vLength = net.getLayer(0).getParam(V_KEY).length();
        long outParams = net.getLayer(1).numParams();
        assertEquals(2 * (vLength + outParams), net.getUpdater().getStateViewArray().length(), "Adam m, v");
        assertEquals(2 * vLength, conf.getMemoryReport(IN).getUpdaterStateSize());

        List<DataSet> data = batches();
        // a training forward pass initialises V (inference leaves a quantizer's initialisation to training)
        net.feedForward(data.get(0).getFeatures(), true);
        INDArray w0 = net.getLayer(0).getParam(QuantizedLayer.WEIGHT_KEY).dup();
        INDArray b0 = net.getLayer(0).getParam(QuantizedLayer.BIAS_KEY).dup();
        INDArray v0 = net.getLayer(0).getParam(V_KEY).dup();
        assertEquals(0.0, maxAbsDiff(w0, rounded(net.getLayer(0), false)), 1e-6, "learned rounding starts at W");

        MultiLayerNetwork unregularized = network(0.0);
        unregularized.init(net.params().dup(), false);
        for (MultiLayerNetwork n : List.of(net, unregularized)) {
            n.setInput(data.get(0).getFeatures());
            n.setLabels(data.get(0).getLabels());
            n.computeGradientAndScore();
        }
        double rounding = q.roundingRegularizer().score(v0, 0, 0);
        assertTrue(rounding > 0);
        assertEquals(rounding, net.getLayer(0).calcRegularizationScore(true), 1e-6 * rounding);
        assertEquals(rounding, net.score() - unregularized.score(), 1e-4 * rounding, "the score includes L_round");

        net.fit(new ExistingDataSetIterator(data));
        assertEquals(ITERATIONS, net.getIterationCount());
        Layer layer = net.getLayer(0);
        assertEquals(0.0, maxAbsDiff(w0, layer.getParam(QuantizedLayer.WEIGHT_KEY)), "W frozen");
        assertEquals(0.0, maxAbsDiff(b0, layer.getParam(QuantizedLayer.BIAS_KEY)), "b frozen");
        assertTrue(maxAbsDiff(v0, layer.getParam(V_KEY)) > 1e-3, "V learns");

        QuantConvolutionLayer impl = (QuantConvolutionLayer) layer;
        layer.setIterationCount(ITERATIONS - 1);
        assertEquals(0.0, maxAbsDiff(rounded(layer, false), impl.inferenceWeights()), 1e-7, "soft before");
        layer.setIterationCount(ITERATIONS);
        INDArray hard = rounded(layer, true);
        assertEquals(0.0, maxAbsDiff(hard, impl.inferenceWeights()), 1e-7, "hard from hardenAt on");
        assertTrue(maxAbsDiff(hard, rounded(layer, false)) > 1e-4, "hard and soft rounding differ");
        assertEquals(0.0, layer.calcRegularizationScore(true), "L_round is 0 once hard");
    }

    /** DOUBLE gradient check of V with the rounding regulariser (W frozen: zero both ways; state skipped). */
    @Test
    void gradientCheckWithTheRoundingRegulariser() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        INDArray x = GradientCheckSupport.random(31, 2, 2, 6, 5);
        INDArray y = GradientCheckSupport.oneHot(32, 2, 3);
        Random rnd = new Random(33);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork mln = GradientCheckSupport.mln(IN, mode, 3, checkedLayer());
            prepare(mln.getLayer(0), rnd, () -> mln.feedForward(x, true));
            GradientCheckSupport.checkMln(mln, x, y, state("0_"));
            ComputationGraph graph = GradientCheckSupport.graph(IN, mode, 3, checkedLayer());
            prepare(graph.getLayer("l0"), rnd, () -> graph.feedForward(x, true));
            GradientCheckSupport.checkGraph(graph, x, y, state("l0_"));
        }
    }

    private static QuantConv2D checkedLayer() {
        LearnedRoundingQuantizer q = new LearnedRoundingQuantizer(FpFormat.E4M3, 0);
        q.setLambda(0.5);
        q.setBeta(3.0);
        return new QuantConv2D.Builder().nOut(3).kernelSize(3, 3).padding(1, 1).activation(Activation.TANH)
                .hasBias(false).frozenWeights(true).weightQuantizer(q).build();
    }

    /**
     * Initialises the quantizer by a training forward pass, then moves V to random points away from h's clip kinks and each
     * channel's largest weight off the grid point it sits on (u = max), where w_q jumps.
     */
    private static void prepare(Layer layer, Random rnd, Runnable forward) {
        forward.run();
        layer.getParam(QuantizedLayer.WEIGHT_KEY).muli(0.999);
        INDArray v = layer.getParam(V_KEY);
        for (long i = 0; i < v.length(); i++) {
            v.putScalar(i, 4.4 * rnd.nextDouble() - 2.2);
        }
    }

    private static Set<String> state(String prefix) {
        return Set.of(prefix + "wqScale", prefix + "wqHard", prefix + "wqInitialised");
    }

    @Test
    void saveAndLoadKeepFrozenWeightsTheRegulariserAndHardRounding() throws Exception {
        MultiLayerNetwork net = network(0.01);
        List<DataSet> data = batches();
        net.fit(new ExistingDataSetIterator(data));
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        assertEquals(conf.getConf(0).getLayer(), MultiLayerConfiguration.fromJson(conf.toJson()).getConf(0).getLayer());

        File file = dir.resolve("adaround.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file, true);
        QuantConv2D original = (QuantConv2D) net.getLayer(0).conf().getLayer();
        QuantConv2D restored = (QuantConv2D) back.getLayer(0).conf().getLayer();
        assertTrue(restored.isFrozenWeights());
        assertEquals(original.getWeightQuantizer(), restored.getWeightQuantizer());
        assertEquals(ITERATIONS, ((LearnedRoundingQuantizer) restored.getWeightQuantizer()).getHardenAt());
        assertEquals(original.getRegularizationByParam(V_KEY), restored.getRegularizationByParam(V_KEY));
        assertInstanceOf(NoOp.class, restored.getUpdaterByParam(QuantizedLayer.WEIGHT_KEY));

        assertEquals(ITERATIONS, back.getIterationCount());
        INDArray x = data.get(0).getFeatures();
        INDArray hard = rounded(back.getLayer(0), true);
        assertTrue(maxAbsDiff(hard, rounded(back.getLayer(0), false)) > 1e-4);
        assertEquals(0.0, maxAbsDiff(hard, ((QuantConvolutionLayer) back.getLayer(0)).inferenceWeights()), 1e-7);
        assertEquals(0.0, maxAbsDiff(net.output(x), back.output(x)), 1e-6);

        INDArray w = back.getLayer(0).getParam(QuantizedLayer.WEIGHT_KEY).dup();
        back.fit(data.get(1));
        assertEquals(0.0, maxAbsDiff(w, back.getLayer(0).getParam(QuantizedLayer.WEIGHT_KEY)), "still frozen");
        assertNotEquals(0.0, maxAbsDiff(net.params(), back.params()), "the output layer trains on");
    }
}
