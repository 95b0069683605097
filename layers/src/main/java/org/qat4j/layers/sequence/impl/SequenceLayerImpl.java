package org.qat4j.layers.sequence.impl;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.sequence.SequenceLayer;

/** Input checks shared by the implementations of {@link SequenceLayer}s. */
public abstract class SequenceLayerImpl<C extends SequenceLayer> extends QuantizedLayerImpl<C> {

    protected SequenceLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return input != null && input.rank() == 2 ? Type.FEED_FORWARD : Type.RECURRENT;
    }

    /** The input: a sequence [N, C, L], or [N, C] where the layer takes feed-forward input. */
    protected INDArray checkedInput() {
        assertInputSet(false);
        long c = layerConf().getNIn();
        boolean ff = layerConf().acceptsFeedForward();
        boolean rankOk = input.rank() == 3 || ff && input.rank() == 2;
        if (!rankOk || input.size(1) != c) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects a sequence [minibatch, " + c
                    + ", length]" + (ff ? " or [minibatch, " + c + "]" : "") + ", got "
                    + Arrays.toString(input.shape()));
        }
        return input.castTo(dataType);
    }
}
