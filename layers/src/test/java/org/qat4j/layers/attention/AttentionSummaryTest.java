package org.qat4j.layers.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.NoOp;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.summary.ModelSummary;

/** The attention products appear in model summaries: L^2 D multiply-accumulates each, at their operands' precision. */
class AttentionSummaryTest {

    private static final int D = 8;
    private static final int L = 6;

    private static ModelSummary.Row row(ModelSummary s, String name) {
        return s.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static ModelSummary summary(AttentionScores scores, AttentionContext context) {
        ComputationGraph g = new ComputationGraph(AttentionGraphs.projected(D, L, scores, context,
                WorkspaceMode.NONE, new NoOp()));
        g.init();
        return ModelSummary.of(g, InputType.recurrent(D, L));
    }

    @Test
    void binaryAttentionCountsBinaryMacs() {
        ModelSummary s = summary(new AttentionScores.Builder().heads(2).queryQuantizer(new SteEstimator())
                .keyQuantizer(new SteEstimator()).build(), new AttentionContext.Builder().heads(2)
                .function(AttentionFunction.BI_ATTENTION).valueQuantizer(new SteEstimator()).build());
        for (String v : new String[] {"scores", "context"}) {
            ModelSummary.Row r = row(s, v);
            assertEquals((long) L * L * D, r.binaryMacs(), v);
            assertEquals(0, r.lowBitMacs() + r.floatMacs(), v);
            assertEquals("1-bit", r.inputPrecision(), v);
        }
        assertEquals("(-1, 2, 6, 6)", row(s, "scores").outputShape());
    }

    @Test
    void softmaxAttentionIsFullPrecisionWhateverItsValues() {
        ModelSummary s = summary(new AttentionScores.Builder().heads(2).build(), new AttentionContext.Builder()
                .heads(2).valueQuantizer(new SteEstimator()).build());
        assertEquals((long) L * L * D, row(s, "scores").floatMacs());
        assertEquals((long) L * L * D, row(s, "context").floatMacs());
    }
}
