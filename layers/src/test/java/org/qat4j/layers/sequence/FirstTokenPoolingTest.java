package org.qat4j.layers.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.estimators.sign.IdentityEstimator;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantDense;

class FirstTokenPoolingTest {

    private static final int N = 4;
    private static final int L = 5;
    private static final int V = 9;

    @BeforeEach
    void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** ids -> embeddings + positions -> layer norm -> dense -> activation quantizer -> [CLS] -> softmax. */
    static Layer[] tinyClassifier() {
        return new Layer[] {
            new TokenEmbedding.Builder().vocabularySize(V).nOut(4).weightQuantizer(SequenceChecks.identityWeights())
                    .build(),
            new PositionEmbedding.Builder().build(),
            new LayerNorm.Builder().build(),
            new QuantDense.Builder().nOut(5).activation(Activation.TANH)
                    .weightQuantizer(SequenceChecks.identityWeights()).inputQuantizer(new IdentityEstimator()).build(),
            new QuantActivation.Builder().quantizer(new IdentityEstimator()).learnableThreshold(true).build(),
            new FirstTokenPooling.Builder().build(),
            SequenceChecks.head(3)};
    }

    @Test
    void gradientCheckThroughATinyClassifierWithPadding() {
        SequenceChecks.checkAll(InputType.recurrent(1, L), SequenceChecks.ids(1, N, L, V), SequenceChecks.mask(2, N, L),
                SequenceChecks.labels(3, N, 3), FirstTokenPoolingTest::tinyClassifier);
    }

    /** A dense layer first, so that the check covers the pooling's input gradient. */
    @Test
    void gradientCheckOfThePoolingInputGradient() {
        SequenceChecks.checkAll(InputType.recurrent(3, L), SequenceChecks.random(4, N, 3, L), null,
                SequenceChecks.labels(5, N, 3), () -> new Layer[] {
                    new QuantDense.Builder().nOut(4).activation(Activation.TANH).build(),
                    new FirstTokenPooling.Builder().build(), SequenceChecks.head(3)});
    }

    /** A tiny classifier whose label is the class of the [CLS]-position token learns it, workspaces enabled. */
    @Test
    void aTinyClassifierLearnsTheClassOfTheFirstToken() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).list()
                .layer(new TokenEmbedding.Builder().vocabularySize(12).nOut(16).build())
                .layer(new PositionEmbedding.Builder().build())
                .layer(new LayerNorm.Builder().build())
                .layer(new QuantDense.Builder().nOut(16).activation(Activation.GELU).build())
                .layer(new FirstTokenPooling.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build())
                .setInputType(InputType.recurrent(1, 6)).build());
        net.init();
        INDArray ids = SequenceChecks.ids(8, 48, 6, 12).castTo(DataType.FLOAT);
        INDArray mask = SequenceChecks.mask(9, 48, 6).castTo(DataType.FLOAT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 48, 3);
        for (int i = 0; i < 48; i++) {
            y.putScalar(i, ids.getInt(i, 0) % 3, 1.0);
        }
        DataSet data = new DataSet(ids, y, mask, null);
        for (int i = 0; i < 60; i++) {
            net.fit(data);
        }
        INDArray predicted = net.output(ids, false, mask, null).argMax(1);
        assertEquals(y.argMax(1), predicted);
    }

    @Test
    void takesPositionZeroAndEndsTheMask() {
        MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(3, L), WorkspaceMode.ENABLED,
                new FirstTokenPooling.Builder().build(), SequenceChecks.head(2));
        assertEquals(InputType.feedForward(3), net.getLayerWiseConfigurations().getConf(0).getLayer()
                .getOutputType(0, InputType.recurrent(3, L)));
        INDArray x = SequenceChecks.random(6, N, 3, L);
        INDArray mask = SequenceChecks.mask(7, N, L);
        INDArray y = net.feedForward(x, mask, null).get(1);
        assertEquals(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)), y);
        net.feedForwardMaskArray(mask, MaskState.Active, N);
        assertEquals(mask, net.getLayer(0).getMaskArray());
        assertNull(net.getLayer(1).getMaskArray(), "the output layer sees no mask");
        assertTrue(net.output(x, false, mask, null).isMatrix());
    }
}
