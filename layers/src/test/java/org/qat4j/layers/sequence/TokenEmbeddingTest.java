package org.qat4j.layers.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.multibit.RowCentredBinarizer;
import org.qat4j.estimators.sign.IdentityEstimator;
import org.qat4j.layers.QuantizedLayer;

class TokenEmbeddingTest {

    private static final int V = 7;
    private static final int H = 4;
    private static final int N = 4;
    private static final int L = 5;

    @BeforeEach
    void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static TokenEmbedding.Builder embedding() {
        return new TokenEmbedding.Builder().name("emb").vocabularySize(V).nOut(H);
    }

    /** The table (and bias) gradients by scatter-add, padded positions masked; ids [N, L] and [N, 1, L]. */
    @Test
    void gradientCheckOfTheTableWithPadding() {
        INDArray ids = SequenceChecks.ids(1, N, L, V);
        INDArray mask = SequenceChecks.mask(2, N, L);
        INDArray y = SequenceChecks.sequenceLabels(3, N, 3, L);
        SequenceChecks.checkAll(InputType.recurrent(1, L), ids, mask, y, () -> new Layer[] {
            embedding().hasBias(true).weightQuantizer(SequenceChecks.identityWeights()).build(),
            SequenceChecks.sequenceHead(3)});
        SequenceChecks.checkAll(InputType.feedForward(L), ids.reshape(N, 1, L), null, y, () -> new Layer[] {
            embedding().build(), SequenceChecks.sequenceHead(3)});
    }

    private static MultiLayerNetwork net(WorkspaceMode mode, TokenEmbedding emb) {
        return SequenceChecks.mln(InputType.recurrent(1, L), mode, emb, SequenceChecks.sequenceHead(2));
    }

    @Test
    void forwardGathersRowsAndZeroesPadding() {
        INDArray ids = SequenceChecks.ids(4, N, L, V);
        INDArray mask = SequenceChecks.mask(5, N, L);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = net(mode, embedding().hasBias(true).build());
            INDArray w = net.getLayer(0).getParam(QuantizedLayer.WEIGHT_KEY);
            INDArray b = net.getLayer(0).getParam(QuantizedLayer.BIAS_KEY).assign(SequenceChecks.random(6, H));
            INDArray out = net.feedForward(ids, mask, null).get(1);
            assertTrue(Arrays.equals(new long[] {N, H, L}, out.shape()));
            for (int n = 0; n < N; n++) {
                for (int l = 0; l < L; l++) {
                    int id = ids.getInt(n, l);
                    for (int h = 0; h < H; h++) {
                        double expected = mask.getDouble(n, l) * (w.getDouble(id, h) + b.getDouble(h));
                        assertEquals(expected, out.getDouble(n, h, l), 1e-12);
                    }
                }
            }
            assertEquals(net.feedForwardToLayer(0, ids, false).get(1),
                    net.feedForwardToLayer(0, ids.reshape(N, 1, L), false).get(1));
        }
    }

    /** BiBERT: each row of the table is centred and binarized, scaled by the mean |W| of the row. */
    @Test
    void bibertEmbeddingsAreRowCentredBinaryRows() {
        MultiLayerNetwork net = net(WorkspaceMode.ENABLED, embedding().weightQuantizer("bibert", Map.of()).build());
        assertTrue(net.getLayer(0).conf().getLayer() instanceof TokenEmbedding e
                && e.getWeightQuantizer() instanceof RowCentredBinarizer);
        INDArray binary = new RowCentredBinarizer().forward(net.getLayer(0).getParam(QuantizedLayer.WEIGHT_KEY));
        INDArray ids = SequenceChecks.ids(7, N, L, V);
        INDArray out = net.feedForwardToLayer(0, ids, false).get(1);
        for (int n = 0; n < N; n++) {
            for (int l = 0; l < L; l++) {
                for (int h = 0; h < H; h++) {
                    assertEquals(binary.getDouble(ids.getInt(n, l), h), out.getDouble(n, h, l), 1e-12);
                }
            }
        }
        net.fit(ids, SequenceChecks.sequenceLabels(8, N, 2, L));
    }

    /** Many positions share few ids: the scatter-add must sum all of them (libnd4j runs it on several threads). */
    @Test
    void scatterAddSumsEveryPositionOfARepeatedId() {
        int n = 32;
        int length = 64;
        int vocabulary = 3;
        MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(1, length), WorkspaceMode.NONE,
                new TokenEmbedding.Builder().vocabularySize(vocabulary).nOut(16).build(),
                SequenceChecks.sequenceHead(2));
        INDArray ids = SequenceChecks.ids(10, n, length, vocabulary);
        INDArray eps = SequenceChecks.random(11, n, 16, length);
        net.initGradientsView();
        org.deeplearning4j.nn.api.Layer layer = net.getLayer(0);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(ids, mgr);
        layer.activate(true, mgr);
        INDArray dW = layer.backpropGradient(eps, mgr).getFirst().getGradientFor(QuantizedLayer.WEIGHT_KEY);
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, n * length, vocabulary);
        for (int i = 0; i < n * length; i++) {
            oneHot.putScalar(i, ids.getInt(i / length, i % length), 1.0);
        }
        assertTrue(oneHot.transpose().mmul(Sequences.positionRows(eps)).equalsWithEps(dW, 1e-10));
    }

    @Test
    void idsOutsideTheVocabularyNameTheLayerAndThePosition() {
        MultiLayerNetwork net = net(WorkspaceMode.ENABLED, embedding().build());
        INDArray ids = SequenceChecks.ids(9, N, L, V);
        ids.putScalar(2, 3, V);
        Exception e = assertThrows(RuntimeException.class, () -> net.output(ids));
        assertTrue(e.getMessage().contains("layer name: emb") && e.getMessage().contains("token id 7.0 at [2, 3]")
                && e.getMessage().contains("0..6"), e.getMessage());
        ids.putScalar(2, 3, 1.5);
        e = assertThrows(RuntimeException.class, () -> net.output(ids));
        assertTrue(e.getMessage().contains("token id 1.5"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> net.output(SequenceChecks.random(1, N, 2, L)));
        assertTrue(e.getMessage().contains("layer name: emb") && e.getMessage().contains("[minibatch, 1, length]"),
                e.getMessage());
    }

    @Test
    void badConfigurationNamesTheLayer() {
        Exception e = assertThrows(RuntimeException.class,
                () -> embedding().inputQuantizer(new IdentityEstimator()).build());
        assertTrue(e.getMessage().contains("layer 'emb'") && e.getMessage().contains("token ids are not quantized"),
                e.getMessage());
        e = assertThrows(RuntimeException.class, () -> embedding().activation(Activation.TANH).build());
        assertTrue(e.getMessage().contains("has no activation function"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> SequenceChecks.mln(InputType.recurrent(3, L),
                WorkspaceMode.NONE, embedding().build(), SequenceChecks.sequenceHead(2)));
        assertTrue(e.getMessage().contains("InputType.recurrent(1, L)"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> SequenceChecks.mln(InputType.recurrent(1, L),
                WorkspaceMode.NONE, new TokenEmbedding.Builder().name("emb").nOut(H).build(),
                SequenceChecks.sequenceHead(2)));
        assertTrue(e.getMessage().contains("vocabularySize and nOut must be set"), e.getMessage());
    }
}
