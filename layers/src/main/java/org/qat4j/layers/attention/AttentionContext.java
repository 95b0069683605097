package org.qat4j.layers.attention;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Quantizer;

/**
 * Multi-head attention context: attention probabilities from the scores, applied to quantized values, heads
 * concatenated. Inputs (scores [N, H, L, L] from {@link AttentionScores}, v [N, D, L]); output [N, D, L].
 * <pre>
 *   forward   P = f(A)            (f: the {@link AttentionFunction}, per row of queries)
 *             C_hci = sum_j P_hij Vq_hcj,     Vq = Q_v(v) split into heads [N, H, d, L]; C merged back to [N, D, L]
 *   backward  dVq_h = G_h P_h,   dP_h = G_h^T Vq_h,   G = dL/dC split into heads;
 *             dA = f'(A, dP) (the function's backward), dv = Q_v.backward(v, dVq)
 * </pre>
 * Padded keys carry {@link AttentionScores#MASK_SCORE} in A, so P gives them no weight and v at padded positions
 * does not reach the output. Padded queries are left as they are: their rows attend over the real keys like any
 * other, so their outputs are finite and their gradients exact; the layers further on mask them. The output
 * carries the padding mask [N, L] of the values input (or of the scores input, when the values' path has none).
 */
public class AttentionContext extends MultiHeadVertex {

    public static final double DEFAULT_BETA = 0.25;

    private AttentionFunction function = AttentionFunction.SOFTMAX;
    private double beta = DEFAULT_BETA;
    private Quantizer valueQuantizer;

    public AttentionContext() {
    }

    private AttentionContext(Builder b) {
        setHeads(b.heads);
        setFunction(b.function);
        setBeta(b.beta);
        setValueQuantizer(b.valueName == null ? b.valueQuantizer : named("valueQuantizer", b.valueName,
                b.valueSettings));
    }

    public AttentionFunction getFunction() {
        return function;
    }

    public void setFunction(AttentionFunction function) {
        if (function == null) {
            throw invalid("function must be set (" + List.of(AttentionFunction.values()) + ")");
        }
        this.function = function;
    }

    /** Threshold fraction of {@link AttentionFunction#SOFTMAX_AWARE}; the other functions ignore it. */
    public double getBeta() {
        return beta;
    }

    public void setBeta(double beta) {
        if (!(beta > 0 && beta <= 1)) {
            throw invalid("beta must be in (0, 1] (got " + beta + ")");
        }
        this.beta = beta;
    }

    public Quantizer getValueQuantizer() {
        return valueQuantizer;
    }

    public void setValueQuantizer(Quantizer valueQuantizer) {
        this.valueQuantizer = parameterFree("valueQuantizer", valueQuantizer);
    }

    @Override
    public List<Quantizer> quantizers() {
        return valueQuantizer == null ? List.of() : List.of(valueQuantizer);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new AttentionContextVertex(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (vertexInputs.length != 2) {
            throw invalid("takes two inputs (scores, values), got " + vertexInputs.length);
        }
        InputType.InputTypeRecurrent v = sequence("values", vertexInputs[1]);
        long length = v.getTimeSeriesLength();
        if (!(vertexInputs[0] instanceof InputType.InputTypeConvolutional a) || a.getChannels() != heads
                || a.getHeight() != length || a.getWidth() != length) {
            throw invalid("scores must be [N, " + heads + ", " + length + ", " + length + "] (convolutional("
                    + length + ", " + length + ", " + heads + ")) for values " + v + ", got " + vertexInputs[0]);
        }
        return v;
    }

    /** Working memory: P and the quantized v; in training also dP, dA and dVq. */
    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        long scores = inputTypes[0].arrayElementsPerExample();
        long sequence = out.arrayElementsPerExample();
        return memoryReport(inputTypes[1], out, scores + sequence, 3 * scores + 2 * sequence);
    }

    @Override
    public AttentionContext clone() {
        AttentionContext c = new AttentionContext();
        c.heads = heads;
        c.function = function;
        c.beta = beta;
        c.valueQuantizer = valueQuantizer;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionContext a && a.heads == heads && a.function == function && a.beta == beta
                && Objects.equals(a.valueQuantizer, valueQuantizer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(heads, function, beta, valueQuantizer);
    }

    @Override
    public String toString() {
        return "AttentionContext(heads=" + heads + ", function=" + function + ", beta=" + beta + ", valueQuantizer="
                + valueQuantizer + ")";
    }

    /**
     * Builder: {@code new AttentionContext.Builder().heads(4).function(AttentionFunction.BI_ATTENTION)
     * .valueQuantizer(new SteEstimator()).build()}, then {@code graph.addVertex(name, context, scores, v)}.
     */
    public static class Builder extends MultiHeadVertex.Builder<Builder> {
        private AttentionFunction function = AttentionFunction.SOFTMAX;
        private double beta = DEFAULT_BETA;
        private Quantizer valueQuantizer;
        private String valueName;
        private Map<String, String> valueSettings = Map.of();

        /** How probabilities are made from the scores; default {@link AttentionFunction#SOFTMAX}. */
        public Builder function(AttentionFunction function) {
            this.function = function;
            return this;
        }

        /** Threshold fraction of {@link AttentionFunction#SOFTMAX_AWARE}, in (0, 1]; default 0.25 (BiViT). */
        public Builder beta(double beta) {
            this.beta = beta;
            return this;
        }

        /** Quantizer of the values, parameter-free; none = full precision. */
        public Builder valueQuantizer(Quantizer q) {
            this.valueQuantizer = q;
            this.valueName = null;
            return this;
        }

        /** Value quantizer by registry name and settings, resolved at build time. */
        public Builder valueQuantizer(String name, Map<String, String> settings) {
            this.valueName = name;
            this.valueSettings = settings;
            return this;
        }

        @Override
        public AttentionContext build() {
            return new AttentionContext(this);
        }
    }
}
