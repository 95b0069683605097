package org.qat4j.layers.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.attention.ReferenceAttention.Quant;

/** Forward and backward of the vertices against the plain-loop reference; padding; sign quantizers; workspaces. */
class AttentionVerticesTest {

    private static final long N = 3;
    private static final long SIZE = 6;
    private static final long LENGTH = 5;
    private static final int HEADS = 2;
    private static final double BETA = 0.4;

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private record Run(INDArray scores, INDArray context, INDArray dq, INDArray dk, INDArray dv) {
    }

    private static AttentionScores scores(Quantizer q) {
        return new AttentionScores.Builder().heads(HEADS).queryQuantizer(q).keyQuantizer(q).build();
    }

    private static AttentionContext context(AttentionFunction f, Quantizer q) {
        return new AttentionContext.Builder().heads(HEADS).function(f).beta(BETA).valueQuantizer(q).build();
    }

    /** Forward and backward through the two vertices themselves, without workspaces; {@code g = dL/dcontext}. */
    private static Run run(AttentionScores sc, AttentionContext cc, INDArray q, INDArray k, INDArray v, INDArray mask,
            INDArray g) {
        ComputationGraph graph = AttentionGraphs.direct(SIZE, LENGTH, sc, cc);
        graph.setLayerMaskArrays(mask == null ? null : new INDArray[] {mask, mask, mask}, null);
        GraphVertex s = graph.getVertex("scores");
        GraphVertex c = graph.getVertex("context");
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        s.setInputs(q, k);
        INDArray a = s.doForward(true, none);
        c.setInputs(a, v);
        INDArray context = c.doForward(true, none);
        c.setEpsilon(g);
        INDArray[] dc = c.doBackward(false, none).getSecond();
        s.setEpsilon(dc[0]);
        INDArray[] ds = s.doBackward(false, none).getSecond();
        return new Run(a, context, ds[0], ds[1], dc[1]);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertTrue(Arrays.equals(expected.shape(), actual.shape()), what + ": shape " + actual.shapeInfoToString());
        double scale = 1 + expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-10 * scale, what + ": max difference " + diff);
    }

    private static void checkAgainstReference(AttentionFunction f, Quantizer q, Quant ref, long seed, INDArray mask) {
        INDArray x = AttentionGraphs.gaussian(seed, 4, N, SIZE, LENGTH);
        INDArray qIn = x.get(NDArrayIndex.point(0)).dup();
        INDArray kIn = x.get(NDArrayIndex.point(1)).dup();
        INDArray vIn = x.get(NDArrayIndex.point(2)).dup();
        INDArray g = x.get(NDArrayIndex.point(3)).dup();
        Run run = run(scores(q), context(f, q), qIn, kIn, vIn, mask, g);

        ReferenceAttention reference = new ReferenceAttention(HEADS, f, BETA, ref, ref, ref);
        double[][] m = AttentionGraphs.array2(mask);
        double[][][] qa = AttentionGraphs.array3(qIn);
        double[][][] ka = AttentionGraphs.array3(kIn);
        double[][][] va = AttentionGraphs.array3(vIn);
        ReferenceAttention.Forward fw = reference.forward(qa, ka, va, m);
        ReferenceAttention.Backward bw = reference.backward(qa, ka, va, m, AttentionGraphs.array3(g));
        String what = f + " seed " + seed + (q == null ? "" : " sign") + (mask == null ? "" : " masked");
        assertClose(AttentionGraphs.nd(fw.scores()), run.scores(), what + " scores");
        assertClose(AttentionGraphs.nd(fw.context()), run.context(), what + " context");
        assertClose(AttentionGraphs.nd(bw.dq()), run.dq(), what + " dq");
        assertClose(AttentionGraphs.nd(bw.dk()), run.dk(), what + " dk");
        assertClose(AttentionGraphs.nd(bw.dv()), run.dv(), what + " dv");
    }

    @Test
    void softmaxAttentionEqualsTheHandComputedReference() {
        checkAgainstReference(AttentionFunction.SOFTMAX, null, Quant.IDENTITY, 1, null);
        checkAgainstReference(AttentionFunction.SOFTMAX, null, Quant.IDENTITY, 2, AttentionGraphs.mask(N, LENGTH));
    }

    /** The binary functions are piecewise constant: their backward is the stated surrogate, at random points. */
    @Test
    void everyFunctionFollowsItsForwardAndSurrogateBackwardFormulas() {
        INDArray mask = AttentionGraphs.mask(N, LENGTH);
        for (AttentionFunction f : AttentionFunction.values()) {
            for (long seed = 10; seed < 14; seed++) {
                checkAgainstReference(f, null, Quant.IDENTITY, seed, seed % 2 == 0 ? mask : null);
                checkAgainstReference(f, new SteEstimator(1.0), Quant.ste(1.0), seed, seed % 2 == 0 ? null : mask);
            }
        }
    }

    @Test
    void paddedKeysGetNoAttention() {
        INDArray mask = AttentionGraphs.mask(N, LENGTH);
        INDArray x = AttentionGraphs.gaussian(5, 4, N, SIZE, LENGTH);
        INDArray q = x.get(NDArrayIndex.point(0)).dup();
        INDArray k = x.get(NDArrayIndex.point(1)).dup();
        INDArray v = x.get(NDArrayIndex.point(2)).dup();
        INDArray g = x.get(NDArrayIndex.point(3)).dup();
        INDArray otherV = v.dup();
        INDArray padded = mask.rsub(1.0).reshape(N, 1, LENGTH).broadcast(N, SIZE, LENGTH);
        otherV.addi(padded.mul(AttentionGraphs.gaussian(6, N, SIZE, LENGTH)).muli(100));
        assertNotEquals(v, otherV);
        for (AttentionFunction f : AttentionFunction.values()) {
            for (Quantizer quant : new Quantizer[] {null, new SteEstimator()}) {
                Run run = run(scores(quant), context(f, quant), q, k, v, mask, g);
                Run other = run(scores(quant), context(f, quant), q, k, otherV, mask, g);
                assertEquals(run.context(), other.context(), f + ": values at padded positions reached the output");
                assertEquals(0.0, run.dv().mul(padded).amaxNumber().doubleValue(), f + ": gradient to padded values");
                INDArray keyMask = mask.reshape(N, 1, 1, LENGTH).broadcast(run.scores().shape());
                assertTrue(run.scores().sub(keyMask.mul(1e9)).maxNumber().doubleValue() < -9000,
                        f + ": padded keys must score about -10000");
            }
        }
    }

    @Test
    void signQuantizersMakeScoresAndContextFromExactlyPlusMinusOne() {
        INDArray q = AttentionGraphs.gaussian(21, N, SIZE, LENGTH);
        INDArray k = AttentionGraphs.gaussian(22, N, SIZE, LENGTH);
        INDArray v = AttentionGraphs.gaussian(23, N, SIZE, LENGTH);
        q.putScalar(new long[] {0, 0, 0}, 0.0);
        k.putScalar(new long[] {0, 0, 1}, 0.0);
        v.putScalar(new long[] {1, 2, 3}, 0.0);
        SteEstimator sign = new SteEstimator();
        Run run = run(scores(sign), context(AttentionFunction.BI_ATTENTION, sign), q, k, v, null,
                AttentionGraphs.gaussian(24, N, SIZE, LENGTH));
        long d = SIZE / HEADS;
        for (int n = 0; n < N; n++) {
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < LENGTH; i++) {
                    for (int j = 0; j < LENGTH; j++) {
                        long dot = 0;
                        for (long c = h * d; c < h * d + d; c++) {
                            dot += (q.getDouble(n, c, i) >= 0 ? 1 : -1) * (k.getDouble(n, c, j) >= 0 ? 1 : -1);
                        }
                        assertEquals(dot, run.scores().getDouble(n, h, i, j) * Math.sqrt(d), 1e-12);
                    }
                }
            }
        }
        INDArray context = run.context();
        assertEquals(context, Transforms.round(context, true), "sums of +-1 values selected by a {0, 1} attention");
        ReferenceAttention.Forward reference = new ReferenceAttention(HEADS, AttentionFunction.BI_ATTENTION, BETA,
                Quant.ste(1), Quant.ste(1), Quant.ste(1)).forward(AttentionGraphs.array3(q), AttentionGraphs.array3(k),
                AttentionGraphs.array3(v), null);
        assertEquals(AttentionGraphs.nd(reference.context()), context);
    }

    @Test
    void contextCarriesThePaddingMaskAndScoresCarryItInTheirValues() {
        ComputationGraph graph = AttentionGraphs.direct(SIZE, LENGTH, scores(null),
                context(AttentionFunction.SOFTMAX, null));
        INDArray mask = AttentionGraphs.mask(N, LENGTH);
        graph.setLayerMaskArrays(new INDArray[] {mask, mask, mask}, null);
        assertNull(graph.getVertex("scores").feedForwardMaskArrays(new INDArray[] {mask, mask}, MaskState.Active,
                (int) N).getFirst());
        assertSame(mask, graph.getVertex("context").feedForwardMaskArrays(new INDArray[] {null, mask},
                MaskState.Active, (int) N).getFirst());
    }

    @Test
    void aMaskOfAnEarlierCallDoesNotApplyToALaterUnmaskedOne() {
        ComputationGraph graph = AttentionGraphs.direct(SIZE, LENGTH, scores(null),
                context(AttentionFunction.SOFTMAX, null));
        INDArray[] in = {AttentionGraphs.gaussian(31, N, SIZE, LENGTH), AttentionGraphs.gaussian(32, N, SIZE, LENGTH),
            AttentionGraphs.gaussian(33, N, SIZE, LENGTH)};
        INDArray mask = AttentionGraphs.mask(N, LENGTH);
        INDArray unmasked = graph.output(false, in, null)[0];
        INDArray masked = graph.output(false, in, new INDArray[] {mask, mask, mask})[0];
        assertNotEquals(unmasked, masked);
        assertEquals(unmasked, graph.output(false, in, null)[0]);
    }

    /** Training with workspaces must match training without, for every function, with and without a mask. */
    @Test
    void workspacesGiveTheSameTrainingAsNoWorkspaces() {
        INDArray x = AttentionGraphs.gaussian(41, N, SIZE, LENGTH);
        INDArray y = AttentionGraphs.oneHot(42, N);
        INDArray mask = AttentionGraphs.mask(N, LENGTH);
        for (AttentionFunction f : AttentionFunction.values()) {
            Quantizer quant = f == AttentionFunction.SOFTMAX ? null : new SteEstimator(1.5);
            INDArray[] params = new INDArray[2];
            INDArray[] outputs = new INDArray[2];
            WorkspaceMode[] modes = {WorkspaceMode.ENABLED, WorkspaceMode.NONE};
            for (int i = 0; i < 2; i++) {
                ComputationGraph g = new ComputationGraph(AttentionGraphs.projected(SIZE, LENGTH, scores(quant),
                        context(f, quant), modes[i], new Sgd(0.5)));
                g.init();
                INDArray initial = g.params().dup();
                for (int step = 0; step < 3; step++) {
                    g.fit(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}, new INDArray[] {mask}, null));
                    g.fit(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}));
                }
                assertNotEquals(initial, g.params(), f + " did not train");
                params[i] = g.params().dup();
                outputs[i] = g.output(false, new INDArray[] {x}, new INDArray[] {mask})[0];
            }
            assertClose(params[1], params[0], f + " parameters, workspaces vs none");
            assertClose(outputs[1], outputs[0], f + " outputs, workspaces vs none");
        }
    }
}
