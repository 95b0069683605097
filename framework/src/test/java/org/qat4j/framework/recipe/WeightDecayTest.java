package org.qat4j.framework.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.framework.train.TinyRecipe;

class WeightDecayTest {

    private static final double LR = 5e-3;
    private static final double DECAY = 0.3;

    private static ComputationGraph stepOnce(double weightDecay) {
        TinyRecipe recipe = new TinyRecipe();
        recipe.learningRate.set(LR);
        recipe.weightDecay.set(weightDecay);
        ComputationGraph net = recipe.model(10);
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 10);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i * 3 % 10, 1);
        }
        net.fit(new DataSet(x, y));
        return net;
    }

    @Test
    void decaysWeightsByLearningRateTimesCoefficientAndLeavesNormParametersAlone() {
        ComputationGraph init = new TinyRecipe().model(10);
        ComputationGraph plain = stepOnce(0);
        ComputationGraph decayed = stepOnce(DECAY);
        for (String w : new String[] {"c1_W", "c2_W", "out_W"}) {
            INDArray expected = init.getParam(w).mul(-LR * DECAY);
            INDArray actual = decayed.getParam(w).sub(plain.getParam(w));
            assertTrue(expected.equalsWithEps(actual, 1e-7), w + ": " + actual + " vs " + expected);
        }
        for (String p : new String[] {"c1_b", "out_b", "bn1_gamma", "bn1_beta", "bn2_gamma"}) {
            assertEquals(plain.getParam(p), decayed.getParam(p), p);
        }
    }
}
