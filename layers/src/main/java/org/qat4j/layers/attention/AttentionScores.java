package org.qat4j.layers.attention;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Quantizer;

/**
 * Scaled dot-product attention scores of quantized queries and keys, per head: the "attention scores" a
 * distillation loss can tap. Inputs (q, k), each [N, D, L] with {@code D = H d}; output [N, H, L, L] (row i a
 * query, column j a key), typed {@code InputType.convolutional(L, L, H)} so that the graph can carry it.
 * <pre>
 *   forward   A_hij = sum_c Qq_hci Kk_hcj / sqrt(d) + M_j,    Qq = Q_q(q), Kk = Q_k(k) split into heads [N, H, d, L]
 *             M_j = -10000 where key j is padding (mask 0), else 0                   (BiBERT's additive mask)
 *   backward  dQq_h = Kk_h G_h^T / sqrt(d),   dKk_h = Qq_h G_h / sqrt(d),   G = dL/dA;
 *             then dq = Q_q.backward(q, dQq), dk = Q_k.backward(k, dKk)
 * </pre>
 * The padding mask [N, L] is the keys' input mask (or the queries' when the keys' path has none: in self-attention
 * they are one mask). The padding is in the scores' values, so the output carries no mask array: a [N, L] mask
 * describes no [N, H, L, L] tensor, and {@link AttentionContext} takes the mask from its values input. Quantizers
 * must be parameter-free; absent means full precision.
 */
public class AttentionScores extends MultiHeadVertex {

    /** The score added on padded keys: far enough below any real score that softmax gives them exactly 0. */
    public static final double MASK_SCORE = -10000;

    private Quantizer queryQuantizer;
    private Quantizer keyQuantizer;

    public AttentionScores() {
    }

    private AttentionScores(Builder b) {
        setHeads(b.heads);
        setQueryQuantizer(b.queryName == null ? b.queryQuantizer : named("queryQuantizer", b.queryName,
                b.querySettings));
        setKeyQuantizer(b.keyName == null ? b.keyQuantizer : named("keyQuantizer", b.keyName, b.keySettings));
    }

    public Quantizer getQueryQuantizer() {
        return queryQuantizer;
    }

    public void setQueryQuantizer(Quantizer queryQuantizer) {
        this.queryQuantizer = parameterFree("queryQuantizer", queryQuantizer);
    }

    public Quantizer getKeyQuantizer() {
        return keyQuantizer;
    }

    public void setKeyQuantizer(Quantizer keyQuantizer) {
        this.keyQuantizer = parameterFree("keyQuantizer", keyQuantizer);
    }

    @Override
    public List<Quantizer> quantizers() {
        return Stream.of(queryQuantizer, keyQuantizer).filter(Objects::nonNull).toList();
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new AttentionScoresVertex(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (vertexInputs.length != 2) {
            throw invalid("takes two inputs (queries, keys), got " + vertexInputs.length);
        }
        InputType.InputTypeRecurrent q = sequence("queries", vertexInputs[0]);
        InputType.InputTypeRecurrent k = sequence("keys", vertexInputs[1]);
        if (q.getSize() != k.getSize() || q.getTimeSeriesLength() != k.getTimeSeriesLength()) {
            throw invalid("queries " + q + " and keys " + k + " must have the same size and length");
        }
        long length = q.getTimeSeriesLength();
        return InputType.convolutional(length, length, heads, CNN2DFormat.NCHW);
    }

    /** Working memory: the quantized q and k; in training also dQq, dKk and G^T. */
    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        long sequence = inputTypes[0].arrayElementsPerExample();
        return memoryReport(inputTypes[0], out, 2 * sequence, 4 * sequence + out.arrayElementsPerExample());
    }

    @Override
    public AttentionScores clone() {
        AttentionScores c = new AttentionScores();
        c.heads = heads;
        c.queryQuantizer = queryQuantizer;
        c.keyQuantizer = keyQuantizer;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionScores a && a.heads == heads && Objects.equals(a.queryQuantizer, queryQuantizer)
                && Objects.equals(a.keyQuantizer, keyQuantizer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(heads, queryQuantizer, keyQuantizer);
    }

    @Override
    public String toString() {
        return "AttentionScores(heads=" + heads + ", queryQuantizer=" + queryQuantizer + ", keyQuantizer="
                + keyQuantizer + ")";
    }

    /**
     * Builder: {@code new AttentionScores.Builder().heads(4).queryQuantizer(new SteEstimator())
     * .keyQuantizer(new SteEstimator()).build()}, then {@code graph.addVertex(name, scores, q, k)}.
     */
    public static class Builder extends MultiHeadVertex.Builder<Builder> {
        private Quantizer queryQuantizer;
        private Quantizer keyQuantizer;
        private String queryName;
        private Map<String, String> querySettings = Map.of();
        private String keyName;
        private Map<String, String> keySettings = Map.of();

        /** Quantizer of the queries, parameter-free; none = full precision. */
        public Builder queryQuantizer(Quantizer q) {
            this.queryQuantizer = q;
            this.queryName = null;
            return this;
        }

        /** Query quantizer by registry name and settings, resolved at build time. */
        public Builder queryQuantizer(String name, Map<String, String> settings) {
            this.queryName = name;
            this.querySettings = settings;
            return this;
        }

        /** Quantizer of the keys, parameter-free; none = full precision. */
        public Builder keyQuantizer(Quantizer q) {
            this.keyQuantizer = q;
            this.keyName = null;
            return this;
        }

        /** Key quantizer by registry name and settings, resolved at build time. */
        public Builder keyQuantizer(String name, Map<String, String> settings) {
            this.keyName = name;
            this.keySettings = settings;
            return this;
        }

        @Override
        public AttentionScores build() {
            return new AttentionScores(this);
        }
    }
}
