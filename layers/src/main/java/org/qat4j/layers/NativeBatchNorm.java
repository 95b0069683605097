package org.qat4j.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.layers.impl.NativeBatchNormLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;

/**
 * Batch normalization per channel (axis 1) of [N, C] or NCHW input, written as a handful of whole-tensor ND4J
 * operations: DL4J's own layer and the libnd4j {@code batchnorm} / {@code batchnorm_bp} ops reduce over the
 * non-contiguous axes (0, 2, 3) several times per call and are 2-4x slower on the recipes' tensors (BENCHMARKS.md).
 * <pre>
 *   training:  mu, var = batch mean and (biased) variance per channel
 *              y = gamma (x - mu) / sqrt(var + eps) + beta
 *              running_mean <- decay running_mean + (1 - decay) mu
 *              running_var  <- decay running_var  + (1 - decay) var n/(n-1)
 *   inference: y = gamma (x - running_mean) / sqrt(running_var + eps) + beta
 * </pre>
 * The backward includes the dependence of mu and var on x: with x^ = (x - mu) / sqrt(var + eps) and M values per
 * channel, dbeta = sum dy, dgamma = sum dy x^, dx = gamma / sqrt(var + eps) (dy - dbeta / M - x^ dgamma / M).
 * The training forward keeps x^ and 1 / sqrt(var + eps) for the backward. The running statistics are non-trainable
 * parameters (saved with the model, never touched by the updater).
 */
public class NativeBatchNorm extends ChannelLayer {

    public static final String GAMMA_KEY = "gamma";
    public static final String BETA_KEY = "beta";
    public static final String MEAN_KEY = "mean";
    public static final String VAR_KEY = "var";

    private double decay = 0.9;
    private double eps = 1e-5;

    public NativeBatchNorm() {
    }

    private NativeBatchNorm(Builder builder) {
        super(builder);
        if (!(builder.decay >= 0 && builder.decay < 1)) {
            throw invalid("decay must be in [0, 1) (got " + builder.decay + ")");
        }
        if (!(builder.eps > 0)) {
            throw invalid("eps must be > 0 (got " + builder.eps + ")");
        }
        this.decay = builder.decay;
        this.eps = builder.eps;
    }

    public double getDecay() {
        return decay;
    }

    public void setDecay(double decay) {
        this.decay = decay;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of(ParamEntry.trainable(GAMMA_KEY, channels(), 1.0),
                ParamEntry.trainable(BETA_KEY, channels(), 0.0),
                ParamEntry.state(MEAN_KEY, channels(), 0.0),
                ParamEntry.state(VAR_KEY, channels(), 1.0));
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new NativeBatchNormLayer(conf, dataType);
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        NativeBatchNorm other = (NativeBatchNorm) o;
        return java.util.Objects.equals(decay, other.decay) && java.util.Objects.equals(eps, other.eps);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), decay, eps);
    }

    /** Builder: {@code decay} (default 0.9) and {@code eps} (default 1e-5). */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.FeedForwardLayer.Builder<Builder> {
        private double decay = 0.9;
        private double eps = 1e-5;

        public Builder decay(double decay) {
            this.decay = decay;
            return this;
        }

        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public NativeBatchNorm build() {
            return new NativeBatchNorm(this);
        }
    }
}
