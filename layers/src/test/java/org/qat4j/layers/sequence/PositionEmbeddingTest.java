package org.qat4j.layers.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.qat4j.layers.QuantDense;

class PositionEmbeddingTest {

    @BeforeEach
    void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** Sequences shorter than the table: the unused columns get a zero gradient, the dense layer checks dL/dx. */
    @Test
    void gradientCheckOnMaskedSequencesShorterThanTheTable() {
        SequenceChecks.checkAll(InputType.recurrent(3, 5), SequenceChecks.random(1, 4, 3, 5),
                SequenceChecks.mask(2, 4, 5), SequenceChecks.sequenceLabels(3, 4, 3, 5), () -> new Layer[] {
                    new QuantDense.Builder().nOut(4).activation(Activation.TANH).build(),
                    new PositionEmbedding.Builder().maxLength(7).build(),
                    SequenceChecks.sequenceHead(3)});
    }

    @Test
    void addsTheFirstColumnsOfTheTable() {
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(3), mode,
                    new PositionEmbedding.Builder().maxLength(6).build(), SequenceChecks.sequenceHead(2));
            INDArray p = net.getLayer(0).getParam(PositionEmbedding.POSITIONS_KEY);
            assertTrue(java.util.Arrays.equals(new long[] {3, 6}, p.shape()));
            for (int length : new int[] {6, 4}) {
                INDArray x = SequenceChecks.random(length, 2, 3, length);
                INDArray y = net.feedForwardToLayer(0, x, true).get(1);
                INDArray columns = p.get(NDArrayIndex.all(), NDArrayIndex.interval(0, length));
                for (int n = 0; n < 2; n++) {
                    INDArray expected = x.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all())
                            .add(columns);
                    assertTrue(expected.equalsWithEps(
                            y.get(NDArrayIndex.point(n), NDArrayIndex.all(), NDArrayIndex.all()), 1e-12));
                }
            }
        }
    }

    @Test
    void theTableStartsFromNormalWithStdOfBert() {
        MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(32, 128), WorkspaceMode.NONE,
                new PositionEmbedding.Builder().build(), SequenceChecks.sequenceHead(2));
        assertEquals(128, ((PositionEmbedding) net.getLayer(0).conf().getLayer()).getMaxLength());
        INDArray p = net.getLayer(0).getParam(PositionEmbedding.POSITIONS_KEY);
        assertEquals(32 * 128, p.length());
        assertEquals(0.0, p.meanNumber().doubleValue(), 0.002);
        assertEquals(0.02, p.stdNumber().doubleValue(), 0.002);
    }

    @Test
    void sequencesLongerThanTheTableAreRejected() {
        Exception e = assertThrows(RuntimeException.class, () -> SequenceChecks.mln(InputType.recurrent(3, 9),
                WorkspaceMode.NONE, new PositionEmbedding.Builder().name("pos").maxLength(8).build(),
                SequenceChecks.sequenceHead(2)));
        assertTrue(e.getMessage().contains("layer 'pos'") && e.getMessage().contains("longer than maxLength=8"),
                e.getMessage());
        e = assertThrows(RuntimeException.class, () -> SequenceChecks.mln(InputType.recurrent(3),
                WorkspaceMode.NONE, new PositionEmbedding.Builder().name("pos").build(),
                SequenceChecks.sequenceHead(2)));
        assertTrue(e.getMessage().contains("maxLength must be set, or the input type give the sequence length"),
                e.getMessage());
        MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(3), WorkspaceMode.ENABLED,
                new PositionEmbedding.Builder().name("pos").maxLength(4).build(), SequenceChecks.sequenceHead(2));
        e = assertThrows(RuntimeException.class, () -> net.output(SequenceChecks.random(1, 2, 3, 5)));
        assertTrue(e.getMessage().contains("layer name: pos") && e.getMessage().contains("up to 4 (maxLength), got "
                + "length 5"), e.getMessage());
    }
}
