package org.qat4j.layers.impl;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-channel helpers for the implementations of {@link org.qat4j.layers.ChannelLayer}s. */
public abstract class ChannelLayerImpl<C extends FeedForwardLayer> extends QuantizedLayerImpl<C> {

    protected ChannelLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return input != null && input.rank() == 4 ? Type.CONVOLUTIONAL : Type.FEED_FORWARD;
    }

    protected INDArray checkedInput() {
        assertInputSet(false);
        long c = layerConf().getNIn();
        if ((input.rank() != 2 && input.rank() != 4) || input.size(1) != c) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects input [minibatch, " + c
                    + "] or [minibatch, " + c + ", height, width], got " + Arrays.toString(input.shape()));
        }
        return input.castTo(dataType);
    }

    /** A [C] parameter shaped to broadcast against x ([1, C] or [1, C, 1, 1]). */
    protected static INDArray perChannel(INDArray param, INDArray x) {
        return x.rank() == 4 ? param.reshape(1, param.length(), 1, 1) : param.reshape(1, param.length());
    }

    /** Sum over every axis but the channel axis 1: the gradient of a per-channel parameter. */
    protected static INDArray sumPerChannel(INDArray g) {
        return g.rank() == 4 ? g.sum(0, 2, 3) : g.sum(0);
    }
}
