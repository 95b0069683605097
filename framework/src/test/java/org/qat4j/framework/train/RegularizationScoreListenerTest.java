package org.qat4j.framework.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
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
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.LearnedRoundingQuantizer;
import org.qat4j.layers.QuantDense;

class RegularizationScoreListenerTest {

    /** tanh dense layer whose FP8 weights round by a learned V regularised with weight lambda -> softmax. */
    private static ComputationGraph net(double lambda) {
        LearnedRoundingQuantizer q = new LearnedRoundingQuantizer(FpFormat.E4M3, 1, lambda, 1000);
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new QuantDense.Builder().nOut(6).activation(Activation.TANH).weightQuantizer(q)
                        .build(), "in")
                .addLayer("out", new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build(), "dense")
                .setOutputs("out").setInputTypes(InputType.feedForward(5)).build());
        net.init();
        return net;
    }

    @Test
    void theStepsPenaltyIsTheOneItsScoreIncludesAfterTheForwardPassInitialisedV() {
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 12, 5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 12, 3);
        for (int i = 0; i < 12; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        ComputationGraph regularised = net(1.0);
        ComputationGraph plain = net(0.0);
        RegularizationScoreListener penalty = new RegularizationScoreListener();
        regularised.setListeners(penalty);
        // V is 0 before the first forward pass: h(V) = 1/2, the regulariser at its maximum, one per weight
        double before = regularised.calcRegularizationScore(true);
        assertEquals(30.0, before, 1e-9);
        for (int step = 0; step < 3; step++) {
            regularised.fit(new DataSet(x, y));
            plain.fit(new DataSet(x, y));
            assertTrue(penalty.penalty() > 0 && penalty.penalty() < before, "penalty " + penalty.penalty());
            if (step == 0) {
                assertEquals(plain.score(), regularised.score() - penalty.penalty(), 1e-12,
                        "the same first step of the same model: the same data loss");
            }
        }
    }
}
