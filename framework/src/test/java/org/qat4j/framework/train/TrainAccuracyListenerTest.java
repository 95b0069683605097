package org.qat4j.framework.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.framework.data.EpochBatches;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.recipe.Recipes;

class TrainAccuracyListenerTest {

    /** With a zero learning rate the training forward pass equals output(train=true) on the same batch. */
    @Test
    void countsTheSamePredictionsAsTheTrainingForwardPass() throws Exception {
        TinyRecipe recipe = (TinyRecipe) Recipes.create("tiny");
        recipe.learningRate.set(0.0);
        ComputationGraph net = recipe.model(10);
        TrainAccuracyListener hits = new TrainAccuracyListener();
        net.setListeners(hits);
        DataSet ds = new EpochBatches(FashionMnist.bundled().train().limit(48), 48, 1, 0).batch(0);
        Nd4j.getRandom().setSeed(1);
        INDArray expected = net.output(true, ds.getFeatures())[0].argMax(1);
        long expectedCorrect = expected.eq(ds.getLabels().argMax(1)).castTo(DataType.INT64).sumNumber().longValue();
        net.fit(ds);
        assertEquals(expectedCorrect, hits.correct(ds.getLabels()));
        assertTrue(hits.correct(Nd4j.zeros(3, 10)) < 0, "labels of another batch size are not counted");
    }
}
