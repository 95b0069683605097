package org.qat4j.layers.attention;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.qat4j.estimators.sign.IdentityEstimator;

/**
 * DL4J's gradient check of full-precision (softmax) attention with identity quantizers: every projection weight
 * of Q, K and V is checked, so dq, dk and dv are, through the padding mask, with and without workspaces.
 */
class AttentionGradientCheckTest {

    private static final long N = 3;
    private static final long SIZE = 4;
    private static final long LENGTH = 5;

    private static void check(int heads, WorkspaceMode mode, INDArray mask) {
        AttentionScores scores = new AttentionScores.Builder().heads(heads).queryQuantizer(new IdentityEstimator())
                .keyQuantizer(new IdentityEstimator()).build();
        AttentionContext context = new AttentionContext.Builder().heads(heads).function(AttentionFunction.SOFTMAX)
                .valueQuantizer(new IdentityEstimator()).build();
        ComputationGraph g = new ComputationGraph(AttentionGraphs.projected(SIZE, LENGTH, scores, context, mode,
                new NoOp()));
        g.init();
        INDArray x = AttentionGraphs.gaussian(heads, N, SIZE, LENGTH);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[] {x}).labels(new INDArray[] {AttentionGraphs.oneHot(7, N)})
                .inputMask(mask == null ? null : new INDArray[] {mask}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed: heads " + heads + ", " + mode + (mask == null ? "" : ", masked"));
    }

    @Test
    void softmaxAttentionPassesTheGradientCheck() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        INDArray mask = AttentionGraphs.mask(N, LENGTH);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            check(2, mode, mask);
            check(1, mode, null);
        }
    }
}
