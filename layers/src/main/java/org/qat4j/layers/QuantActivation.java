package org.qat4j.layers;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.layers.impl.QuantActivationLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.sequence.Sequences;

/**
 * Activation quantization as a layer of its own, with an optional learnable per-channel threshold.
 * <pre>
 *   y = Q(x + beta_c)                       (beta_c learnable, init 0, when the threshold is on)
 *   dL/dx = Q'(x + beta) g,   dL/dbeta_c = sum_{n,h,w} Q'(x + beta) g
 * </pre>
 * With {@link ApproxSignEstimator} and the threshold this is ReActNet's RSign ({@link #rsign()}).
 * Input [N, C], NCHW [N, C, H, W] or a sequence [N, C, L] (recurrent NCW input, quantized as [N, C, L, 1]:
 * channels on axis 1, the sum above over n and l); the output has the input's shape, the padding mask passes
 * through.
 */
public class QuantActivation extends ChannelLayer implements Quantizing {

    public static final String THRESHOLD_KEY = "beta";

    private Quantizer quantizer;
    private boolean learnableThreshold;

    public QuantActivation() {
    }

    private QuantActivation(Builder builder) {
        super(builder);
        if (builder.quantizer == null) {
            throw invalid("a quantizer must be set");
        }
        this.quantizer = builder.quantizer;
        this.learnableThreshold = builder.learnableThreshold;
    }

    /** RSign: sign(x + beta_c) with the ApproxSign backward and a learnable per-channel threshold. */
    public static Builder rsign() {
        return new Builder().quantizer(new ApproxSignEstimator()).learnableThreshold(true);
    }

    public Quantizer getQuantizer() {
        return quantizer;
    }

    @Override
    public List<Quantizer> quantizers() {
        return quantizer == null ? List.of() : List.of(quantizer);
    }

    public void setQuantizer(Quantizer quantizer) {
        this.quantizer = quantizer;
    }

    public boolean isLearnableThreshold() {
        return learnableThreshold;
    }

    public void setLearnableThreshold(boolean learnableThreshold) {
        this.learnableThreshold = learnableThreshold;
    }

    @Override
    public List<ParamEntry> paramLayout() {
        List<ParamEntry> out = new ArrayList<>();
        if (learnableThreshold) {
            out.add(ParamEntry.trainable(THRESHOLD_KEY, channels(), 0.0));
        }
        QuantizedLayer.addQuantizerParams(out, QuantizedLayer.INPUT_QUANT_PREFIX, quantizer, new long[] {1, nIn});
        return out;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType.getType() == InputType.Type.RNN) {
            return Sequences.recurrent(this, inputType);
        }
        return super.getOutputType(layerIndex, inputType);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType.getType() == InputType.Type.RNN) {
            super.setNIn(InputType.feedForward(Sequences.recurrent(this, inputType).getSize()), override);
        } else {
            super.setNIn(inputType, override);
        }
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new QuantActivationLayer(conf, dataType);
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        QuantActivation other = (QuantActivation) o;
        return java.util.Objects.equals(quantizer, other.quantizer) && java.util.Objects.equals(learnableThreshold, other.learnableThreshold);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), quantizer, learnableThreshold);
    }

    /** Builder: {@code quantizer(..)}, {@code learnableThreshold(..)}; channels from nIn or the input type. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.FeedForwardLayer.Builder<Builder> {
        private Quantizer quantizer;
        private boolean learnableThreshold;

        public Builder quantizer(Quantizer q) {
            this.quantizer = q;
            return this;
        }

        public Builder learnableThreshold(boolean on) {
            this.learnableThreshold = on;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public QuantActivation build() {
            return new QuantActivation(this);
        }
    }
}
