package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.BiPerEstimator;
import org.qat4j.estimators.sign.SteEstimator;

class QuantizingTest {

    @Test
    void everyQuantizerOfALayerIsListedAndAdvancedBySchedule() {
        BiPerEstimator biper = new BiPerEstimator(Math.PI, 1);
        biper.setStageSchedule(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 1.0, 5, 2.0)));
        BinaryWeightQuantizer weights = new BinaryWeightQuantizer(biper, new XnorScaling(), 0);
        SteEstimator inputs = new SteEstimator(1.0);
        QuantConv2D conv = new QuantConv2D.Builder().nOut(4).kernelSize(3, 3).weightQuantizer(weights)
                .inputQuantizer(inputs).build();
        assertEquals(List.of(weights, inputs), conv.quantizers());
        assertEquals(32.0, weights.bitsPerValue());
        conv.onProgress(4, 40);
        assertEquals(1, biper.getStage());
        conv.onProgress(5, 50);
        assertEquals(2, biper.getStage());
        assertEquals(1.0, weights.bitsPerValue());

        assertEquals(List.of(), new QuantDense.Builder().nOut(3).build().quantizers());
        QuantActivation act = QuantActivation.rsign().build();
        assertEquals(List.of(act.getQuantizer()), act.quantizers());
    }

    /** dense -> 4-bit LSQ activations -> dense with 4-bit LSQ weights -> softmax: two data-initialised steps. */
    private static ComputationGraph lsqNet() {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("q", new QuantActivation.Builder().quantizer(new LsqQuantizer(4, true, false)).build(),
                        "dense")
                .addLayer("qdense", new QuantDense.Builder().nOut(5).activation(Activation.IDENTITY)
                        .weightQuantizer(new LsqQuantizer(4, true, false)).build(), "q")
                .addLayer("out", new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build(), "qdense")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        net.init();
        return net;
    }

    private static long initialised(ComputationGraph net) {
        return net.paramTable().entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).endsWith(Params.INITIALISED))
                .filter(e -> e.getValue().getDouble(0) != 0.0).count();
    }

    @Test
    void inferenceLeavesQuantizerInitialisationToTheFirstTrainingBatch() {
        Nd4j.getRandom().setSeed(5);
        INDArray probe = Nd4j.randn(DataType.FLOAT, 6, 4).muli(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        ComputationGraph probed = lsqNet();
        ComputationGraph plain = lsqNet();
        INDArray before = probed.params().dup();
        INDArray first = probed.outputSingle(probe);
        assertEquals(before, probed.params(), "inference changed no parameter");
        assertEquals(0, initialised(probed));
        assertEquals(first, probed.outputSingle(probe), "inference quantizes the same way every time");

        probed.fit(new DataSet(x, y));
        plain.fit(new DataSet(x, y));
        assertEquals(2, initialised(probed), "the first training batch initialises every step");
        assertEquals(plain.params(), probed.params(), "a probe before training changes nothing the training does");
        INDArray trained = probed.params().dup();
        probed.outputSingle(probe);
        assertEquals(trained, probed.params());
        assertTrue(probed.getParam("q_aqStep").getDouble(0) > 0, "the activation step is data-initialised");
    }
}
