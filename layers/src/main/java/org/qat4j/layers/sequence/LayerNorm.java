package org.qat4j.layers.sequence;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.sequence.impl.LayerNormLayer;

/**
 * Layer normalization over the channel axis, separately at every position of a sequence [N, C, L] or every row of
 * [N, C] (DL4J M2.1 has no such layer).
 * <pre>
 *   mu = mean_c x_c,   var = mean_c (x_c - mu)^2,   s = 1 / sqrt(var + eps),   x^_c = (x_c - mu) s
 *   y_c = gamma_c x^_c + beta_c                                     gamma init 1, beta init 0
 *   dL/dbeta_c = sum_{n,l} g_c,   dL/dgamma_c = sum_{n,l} g_c x^_c
 *   dL/dx_c = s (h_c - mean_k h_k - x^_c mean_k h_k x^_k),   h = gamma g
 * </pre>
 * Statistics are per position, so padded positions never touch real ones and the padding mask passes through.
 * gamma and beta are not regularised (as in BERT).
 */
public class LayerNorm extends SequenceLayer {

    public static final String GAMMA_KEY = "gamma";
    public static final String BETA_KEY = "beta";

    private double eps = 1e-5;

    public LayerNorm() {
    }

    private LayerNorm(Builder builder) {
        super(builder);
        if (!(builder.eps > 0)) {
            throw invalid("eps must be > 0 (got " + builder.eps + ")");
        }
        this.eps = builder.eps;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    @Override
    public boolean acceptsFeedForward() {
        return true;
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of(ParamEntry.trainable(GAMMA_KEY, new long[] {nIn}, 1.0),
                ParamEntry.trainable(BETA_KEY, new long[] {nIn}, 0.0));
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new LayerNormLayer(conf, dataType);
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o.getClass() == getClass() && eps == ((LayerNorm) o).eps;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), eps);
    }

    /** Builder: {@code eps} (default 1e-5); the width from nIn or the input type. */
    public static class Builder extends SequenceLayer.Builder<Builder> {
        private double eps = 1e-5;

        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LayerNorm build() {
            return new LayerNorm(this);
        }
    }
}
