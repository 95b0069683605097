package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.summary.FlipRatioListener;
import org.qat4j.layers.summary.ModelSummary;

class ModelSummaryTest {

    private static final InputType IN = InputType.convolutional(8, 8, 1);

    private static MultiLayerNetwork network() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new QuantConv2D.Builder().name("stem").nOut(4).kernelSize(3, 3).padding(1, 1).build())
                .layer(new NativeBatchNorm.Builder().name("bn").build())
                .layer(new QuantConv2D.Builder().name("bin").nOut(6).kernelSize(3, 3).hasBias(false)
                        .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(), new XnorScaling(), 0))
                        .inputQuantizer(new SteEstimator()).build())
                .layer(new QuantDepthwiseConv2D.Builder().name("dw").kernelSize(3, 3).padding(1, 1).hasBias(false)
                        .weightQuantizer(new LmbBinarizer(2, 0)).inputQuantizer(new LsqQuantizer(4, true, true))
                        .build())
                .layer(new QuantDense.Builder().name("fc").nOut(10)
                        .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(), new XnorScaling(), 0))
                        .inputQuantizer(new SteEstimator()).build())
                .layer(new OutputLayer.Builder().name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(IN).build());
        net.init();
        return net;
    }

    @Test
    void countsParamsByBitWidthMemoryAndMacsByPrecision() {
        ModelSummary s = ModelSummary.of(network(), IN);
        assertEquals(6, s.rows().size());
        ModelSummary.Row stem = s.rows().get(0);
        assertEquals("fp32", stem.inputPrecision());
        assertEquals(Map.of(32.0, 4L * 9 + 4), stem.paramsByBits());
        assertEquals(8 * 8 * 4 * 9, stem.floatMacs());
        ModelSummary.Row bn = s.rows().get(1);
        assertEquals(Map.of(32.0, 16L), bn.paramsByBits());
        ModelSummary.Row bin = s.rows().get(2);
        assertEquals("1-bit", bin.inputPrecision());
        assertEquals("(-1, 6, 6, 6)", bin.outputShape());
        assertEquals(Map.of(1.0, 6L * 4 * 9), bin.paramsByBits());
        assertEquals(6L * 4 * 9, bin.memoryBits(), 0);
        assertEquals(6 * 6 * 6 * 4 * 9, bin.binaryMacs());
        ModelSummary.Row dw = s.rows().get(3);
        assertEquals("4-bit", dw.inputPrecision());
        assertEquals(Map.of(2.0, 6L * 9, 32.0, 6L * 2 + 1), dw.paramsByBits());
        assertEquals(6 * 6 * 6 * 9, dw.lowBitMacs());
        ModelSummary.Row fc = s.rows().get(4);
        assertEquals(Map.of(1.0, 216L * 10, 32.0, 10L), fc.paramsByBits());
        assertEquals(216 * 10, fc.binaryMacs());
        ModelSummary.Row out = s.rows().get(5);
        assertEquals(Map.of(32.0, 33L), out.paramsByBits());
        assertEquals(30, out.floatMacs());

        long total = 40 + 16 + 216 + (54 + 13) + 2170 + 33;
        assertEquals(total, s.totalParams());
        double memory = 32 * 40 + 32 * 16 + 216 + (2 * 54 + 32 * 13) + (2160 + 320) + 32 * 33;
        assertEquals(memory, s.memoryBits(), 1e-9);
        assertEquals(32.0 * total / memory, s.compressionRatio(), 1e-9);
        long macs = 2304 + 7776 + 1944 + 2160 + 30;
        assertEquals((7776 + 2160) / (double) macs, s.binaryMacShare(), 1e-12, s.toString());
        String text = s.toString();
        assertTrue(text.contains("bin (QuantConv2D)") && text.contains("# 1-bit") && text.contains("# 2-bit")
                && text.contains("Compression ratio: ") && text.contains("Binary MACs: "), text);
    }

    @Test
    void graphSummaryMatchesTheSameLayers() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("fc", new QuantDense.Builder().nOut(5)
                        .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(), new XnorScaling(), 0)).build(),
                        "in")
                .addLayer("out", new OutputLayer.Builder().nOut(2).build(), "fc").setOutputs("out")
                .setInputTypes(InputType.feedForward(7)).build());
        g.init();
        ModelSummary s = ModelSummary.of(g, InputType.feedForward(7));
        assertEquals(2, s.rows().size());
        assertEquals(Map.of(1.0, 35L, 32.0, 5L), s.rows().get(0).paramsByBits());
        assertEquals(35, s.rows().get(0).floatMacs(), "fp32 input: float MACs");
    }

    @Test
    void aPrecedingActivationQuantizerMakesTheMacsBinary() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(QuantActivation.rsign().build())
                .layer(new QuantConv2D.Builder().nOut(2).kernelSize(3, 3).hasBias(false)
                        .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(), new XnorScaling(), 0)).build())
                .layer(new OutputLayer.Builder().nOut(3).build())
                .setInputType(IN).build());
        net.init();
        ModelSummary.Row conv = ModelSummary.of(net, IN).rows().get(1);
        assertEquals("1-bit", conv.inputPrecision());
        assertEquals(6 * 6 * 2 * 9, conv.binaryMacs());
    }

    @Test
    void flipRatioCountsSignChangesOfBinaryWeights() {
        MultiLayerNetwork net = network();
        FlipRatioListener listener = new FlipRatioListener();
        listener.iterationDone(net, 0, 0);
        assertTrue(Double.isNaN(listener.flipRatio()));
        INDArray w = net.getLayer(2).getParam("W");
        for (int i = 0; i < 27; i++) {
            w.putScalar(i, -w.getDouble(i) + (w.getDouble(i) == 0 ? -1 : 0));
        }
        listener.iterationDone(net, 1, 0);
        assertEquals(27.0 / (216 + 2160), listener.flipRatio(), 1e-12);
        assertEquals(27.0 / 216, listener.perLayer().get("2"), 1e-12);
        assertEquals(0.0, listener.perLayer().get("4"), 0);

        net.setListeners(listener);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 8, 8);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 3, 1);
        }
        net.setLearningRate(0.5);
        net.fit(new DataSet(x, y));
        assertTrue(listener.flipRatio() >= 0 && listener.flipRatio() <= 1);
    }
}
