package org.qat4j.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.impl.RPReLULayer;
import org.qat4j.layers.params.ParamEntry;

/**
 * RPReLU (ReActNet): a PReLU with learnable shifts before and after.
 * <pre>
 *   t = x + gamma_c,   y = (t &gt; 0 ? t : a_c t) + zeta_c          gamma, zeta init 0, slope a init 0.25
 *   dL/dt = g (t &gt; 0 ? 1 : a_c),   dL/da_c = sum g t 1{t &lt;= 0},   dL/dgamma_c = sum dL/dt,   dL/dzeta_c = sum g
 * </pre>
 */
public class RPReLU extends ChannelLayer {

    public static final String SHIFT_IN_KEY = "gamma";
    public static final String SLOPE_KEY = "slope";
    public static final String SHIFT_OUT_KEY = "zeta";

    public RPReLU() {
    }

    private RPReLU(Builder builder) {
        super(builder);
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of(ParamEntry.trainable(SHIFT_IN_KEY, channels(), 0.0),
                ParamEntry.trainable(SLOPE_KEY, channels(), 0.25),
                ParamEntry.trainable(SHIFT_OUT_KEY, channels(), 0.0));
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new RPReLULayer(conf, dataType);
    }

    /** Builder; channels from nIn or the input type. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.FeedForwardLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public RPReLU build() {
            return new RPReLU(this);
        }
    }
}
