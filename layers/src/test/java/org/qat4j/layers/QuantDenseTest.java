package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.sign.IdentityEstimator;
import org.qat4j.layers.sequence.SequenceChecks;

class QuantDenseTest {

    @Test
    void gradientCheckWithIdentityQuantizers() {
        GradientCheckSupport.checkAll(InputType.feedForward(4), GradientCheckSupport.random(1, 6, 4), 3,
                () -> new Layer[] {
                    new QuantDense.Builder().nOut(5).activation(Activation.TANH)
                            .weightQuantizer(GradientCheckSupport.identityWeights())
                            .inputQuantizer(new IdentityEstimator()).build(),
                    new QuantDense.Builder().nOut(4).activation(Activation.IDENTITY).hasBias(false)
                            .weightQuantizer(GradientCheckSupport.identityWeights()).build()});
    }

    private static Layer[] sequenceStack() {
        return new Layer[] {
            new QuantDense.Builder().nOut(5).activation(Activation.TANH)
                    .weightQuantizer(SequenceChecks.identityWeights()).inputQuantizer(new IdentityEstimator()).build(),
            new QuantActivation.Builder().quantizer(new IdentityEstimator()).learnableThreshold(true).build(),
            new QuantDense.Builder().nOut(4).activation(Activation.IDENTITY).hasBias(false)
                    .weightQuantizer(SequenceChecks.identityWeights()).build(),
            SequenceChecks.sequenceHead(3)};
    }

    /** Sequences [N, C, L] with a padding mask, through dense and activation layers, no preprocessors. */
    @Test
    void gradientCheckOnMaskedSequences() {
        SequenceChecks.checkAll(InputType.recurrent(3, 5), SequenceChecks.random(1, 4, 3, 5),
                SequenceChecks.mask(2, 4, 5), SequenceChecks.sequenceLabels(3, 4, 3, 5), QuantDenseTest::sequenceStack);
    }

    @Test
    void aSequenceStaysASequenceVertexAndTheMaskPassesThrough() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph g = SequenceChecks.graph(InputType.recurrent(3, 5), WorkspaceMode.ENABLED, sequenceStack());
        assertEquals(InputType.recurrent(5, 5), g.getConfiguration().getLayerActivationTypes(InputType.recurrent(3, 5))
                .get("l0"));
        assertNull(((org.deeplearning4j.nn.conf.graph.LayerVertex) g.getConfiguration().getVertices().get("l0"))
                .getPreProcessor());
        INDArray x = SequenceChecks.random(4, 2, 3, 5);
        INDArray mask = SequenceChecks.mask(5, 2, 5);
        g.setLayerMaskArrays(new INDArray[] {mask}, null);
        assertEquals(mask, g.getLayer("l2").getMaskArray());
        Map<String, INDArray> acts = g.feedForward(new INDArray[] {x}, false, false);
        assertTrue(java.util.Arrays.equals(new long[] {2, 5, 5}, acts.get("l0").shape()));

        MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(3, 5), WorkspaceMode.NONE, sequenceStack());
        net.feedForwardMaskArray(mask, MaskState.Active, 2);
        assertEquals(mask, net.getLayer(2).getMaskArray());
    }

    /** On a sequence the layer is the feed-forward layer at every position, with the same weights and quantizer. */
    @Test
    void aSequenceIsTheFeedForwardLayerAtEveryPosition() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            Layer dense = new QuantDense.Builder().nOut(4).activation(Activation.TANH)
                    .inputQuantizer(new LsqQuantizer(4, true, false)).build();
            MultiLayerNetwork seq = SequenceChecks.mln(InputType.recurrent(3, 6), mode, dense.clone(),
                    SequenceChecks.sequenceHead(2));
            MultiLayerNetwork ff = SequenceChecks.mln(InputType.feedForward(3), mode, dense.clone(),
                    SequenceChecks.head(2));
            INDArray x = SequenceChecks.random(7, 2, 3, 6);
            // a training pass initialises the LSQ step on the whole sequence; the copy then carries it over
            seq.feedForwardToLayer(0, x, true);
            INDArray y = seq.feedForwardToLayer(0, x, false).get(1);
            assertTrue(java.util.Arrays.equals(new long[] {2, 4, 6}, y.shape()));
            ff.getLayer(0).params().assign(seq.getLayer(0).params());
            for (int l = 0; l < 6; l++) {
                INDArray xl = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(l)).dup();
                INDArray yl = y.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(l));
                assertTrue(ff.feedForwardToLayer(0, xl, false).get(1).equalsWithEps(yl, 1e-12),
                        "position " + l + " (" + mode + ")");
            }
        }
    }

    @Test
    void sequenceInputInAnotherLayoutIsRejected() {
        Exception e = assertThrows(RuntimeException.class, () -> SequenceChecks.mln(
                InputType.recurrent(3, 5, org.deeplearning4j.nn.conf.RNNFormat.NWC), WorkspaceMode.NONE,
                new QuantDense.Builder().name("fc").nOut(4).build(), SequenceChecks.sequenceHead(2)));
        assertTrue(e.getMessage().contains("layer 'fc'") && e.getMessage().contains("NCW"), e.getMessage());
    }
}
