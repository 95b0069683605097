package org.qat4j.layers;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.impl.GroupNormLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.sequence.Sequences;

/**
 * Group normalization (Wu and He, 2018) of NCHW feature maps [N, C, H, W], also of [N, C] and of sequences
 * [N, C, L]: the C channels split into G groups of C/G consecutive channels, and each (sample, group) is normalized
 * over its C/G channels and all positions, independently of the other samples in the batch.
 * <pre>
 *   over the M = (C/G) H W values x_k of one (n, group):
 *   mu = mean_k x_k,   var = mean_k (x_k - mu)^2,   s = 1 / sqrt(var + eps),   x^_k = (x_k - mu) s
 *   y_{n,c,p} = gamma_c x^_{n,c,p} + beta_c                               gamma init 1, beta init 0
 *   dL/dbeta_c = sum_{n,p} g_{n,c,p},   dL/dgamma_c = sum_{n,p} g_{n,c,p} x^_{n,c,p}
 *   dL/dx_k = s (h_k - mean_j h_j - x^_k mean_j h_j x^_j),   h = gamma g,   means over the (n, group) of k
 * </pre>
 * G = 1 is layer normalization over (C, H, W), G = C instance normalization. Training and inference compute the
 * same function (there are no running statistics). gamma and beta are not regularised. On sequences the statistics
 * cover every position, so padded sequences (a features mask) are refused rather than silently mixed into them.
 */
public class GroupNorm extends ChannelLayer {

    public static final String GAMMA_KEY = "gamma";
    public static final String BETA_KEY = "beta";
    public static final int DEFAULT_GROUPS = 32;

    private int groups = DEFAULT_GROUPS;
    private double eps = 1e-5;

    public GroupNorm() {
    }

    private GroupNorm(Builder builder) {
        super(builder);
        if (activationFn != null && !(activationFn instanceof ActivationIdentity)) {
            throw invalid("has no activation function (got " + activationFn + ")");
        }
        if (builder.groups < 1) {
            throw invalid("groups must be >= 1 (got " + builder.groups + ")");
        }
        if (!(builder.eps > 0)) {
            throw invalid("eps must be > 0 (got " + builder.eps + ")");
        }
        this.groups = builder.groups;
        this.eps = builder.eps;
        if (nIn > 0) {
            checkGroups(nIn);
        }
    }

    public int getGroups() {
        return groups;
    }

    public void setGroups(int groups) {
        this.groups = groups;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    private void checkGroups(long channels) {
        if (channels % groups != 0) {
            throw invalid("groups G=" + groups + " does not divide the number of channels C=" + channels);
        }
    }

    @Override
    protected long channelCount(InputType inputType) {
        if (inputType instanceof InputType.InputTypeRecurrent) {
            return Sequences.recurrent(this, inputType).getSize();
        }
        return super.channelCount(inputType);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        super.setNIn(inputType, override);
        checkGroups(nIn);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType instanceof InputType.InputTypeRecurrent) {
            Sequences.recurrent(this, inputType);
            return inputType;
        }
        return super.getOutputType(layerIndex, inputType);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        if (nIn > 0) {
            checkGroups(nIn);
        }
        return super.instantiate(conf, listeners, layerIndex, paramsView, initializeParams, dataType);
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of(ParamEntry.trainable(GAMMA_KEY, channels(), 1.0),
                ParamEntry.trainable(BETA_KEY, channels(), 0.0));
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new GroupNormLayer(conf, dataType);
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        GroupNorm other = (GroupNorm) o;
        return groups == other.groups && eps == other.eps;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), groups, eps);
    }

    /**
     * Builder: {@code groups} G (default 32; must divide the channels C) and {@code eps} (default 1e-5); C from nIn
     * or the input type. No activation function: a network-wide default does not reach this layer.
     */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private int groups = DEFAULT_GROUPS;
        private double eps = 1e-5;

        public Builder() {
            this.activationFn = new ActivationIdentity();
        }

        public Builder groups(int groups) {
            this.groups = groups;
            return this;
        }

        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public GroupNorm build() {
            return new GroupNorm(this);
        }
    }
}
