package org.qat4j.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.layers.impl.LearnableBiasLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;

/**
 * A learnable per-channel shift (ReActNet's move before a sign).
 * <pre>
 *   y = x + b_c,   dL/dx = g,   dL/db_c = sum_{n,h,w} g          (b init 0)
 * </pre>
 */
public class LearnableBias extends ChannelLayer {

    public static final String BIAS_KEY = "b";

    public LearnableBias() {
    }

    private LearnableBias(Builder builder) {
        super(builder);
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of(ParamEntry.trainable(BIAS_KEY, channels(), 0.0));
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new LearnableBiasLayer(conf, dataType);
    }

    /** Builder; channels from nIn or the input type. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.FeedForwardLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public LearnableBias build() {
            return new LearnableBias(this);
        }
    }
}
