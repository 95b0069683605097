package org.qat4j.layers.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.sign.IdentityEstimator;
import org.qat4j.layers.QuantDense;

class LayerNormTest {

    /** A dense layer first, so that the check covers the layer norm's input gradient too. */
    private static Layer dense(int nOut) {
        return new QuantDense.Builder().nOut(nOut).activation(Activation.TANH)
                .weightQuantizer(SequenceChecks.identityWeights()).inputQuantizer(new IdentityEstimator()).build();
    }

    @Test
    void gradientCheckOnFeedForwardInput() {
        SequenceChecks.checkAll(InputType.feedForward(3), SequenceChecks.random(1, 6, 3), null,
                SequenceChecks.labels(2, 6, 3),
                () -> new Layer[] {dense(4), new LayerNorm.Builder().build(), SequenceChecks.head(3)});
    }

    @Test
    void gradientCheckOnMaskedSequences() {
        SequenceChecks.checkAll(InputType.recurrent(3, 5), SequenceChecks.random(3, 4, 3, 5),
                SequenceChecks.mask(4, 4, 5), SequenceChecks.sequenceLabels(5, 4, 3, 5),
                () -> new Layer[] {dense(4), new LayerNorm.Builder().eps(1e-3).build(),
                    SequenceChecks.sequenceHead(3)});
    }

    @Test
    void forwardMatchesTheFormulaAtEveryPosition() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        double eps = 1e-3;
        int n = 2;
        int c = 3;
        int length = 4;
        MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(c, length), WorkspaceMode.ENABLED,
                new LayerNorm.Builder().eps(eps).build(), SequenceChecks.sequenceHead(2));
        INDArray gamma = SequenceChecks.random(1, c);
        INDArray beta = SequenceChecks.random(2, c);
        net.getLayer(0).setParam(LayerNorm.GAMMA_KEY, gamma.reshape(1, c));
        net.getLayer(0).setParam(LayerNorm.BETA_KEY, beta.reshape(1, c));
        INDArray x = SequenceChecks.random(3, n, c, length).muli(2).addi(1);
        for (boolean training : new boolean[] {true, false}) {
            INDArray y = net.feedForwardToLayer(0, x, training).get(1);
            for (int i = 0; i < n; i++) {
                for (int l = 0; l < length; l++) {
                    double mean = 0;
                    for (int ch = 0; ch < c; ch++) {
                        mean += x.getDouble(i, ch, l) / c;
                    }
                    double var = 0;
                    for (int ch = 0; ch < c; ch++) {
                        var += Math.pow(x.getDouble(i, ch, l) - mean, 2) / c;
                    }
                    for (int ch = 0; ch < c; ch++) {
                        double expected = gamma.getDouble(ch) * (x.getDouble(i, ch, l) - mean) / Math.sqrt(var + eps)
                                + beta.getDouble(ch);
                        assertEquals(expected, y.getDouble(i, ch, l), 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void badConfigurationNamesTheLayer() {
        Exception e = assertThrows(RuntimeException.class,
                () -> new LayerNorm.Builder().name("ln").eps(0).build());
        assertTrue(e.getMessage().contains("layer 'ln'") && e.getMessage().contains("eps must be > 0"), e.getMessage());
        e = assertThrows(RuntimeException.class,
                () -> new LayerNorm.Builder().name("ln").activation(Activation.RELU).build());
        assertTrue(e.getMessage().contains("has no activation function"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> SequenceChecks.mln(InputType.recurrent(3, 5, RNNFormat.NWC),
                WorkspaceMode.NONE, new LayerNorm.Builder().name("ln").build(), SequenceChecks.sequenceHead(2)));
        assertTrue(e.getMessage().contains("layer 'ln'") && e.getMessage().contains("NCW"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> SequenceChecks.mln(InputType.convolutional(4, 4, 2),
                WorkspaceMode.NONE, new LayerNorm.Builder().name("ln").build(), SequenceChecks.head(2)));
        assertTrue(e.getMessage().contains("expects a sequence [N, C, L] (recurrent input) or feed-forward input"),
                e.getMessage());
    }
}
