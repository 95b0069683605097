package org.qat4j.layers.sequence;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.Layers;
import org.qat4j.layers.ParamLayoutLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;

/**
 * Base of the layers that take a sequence [N, C, L] (recurrent NCW input, see {@link Sequences}) of width C, set
 * from the input type or nIn, and have no activation function. Where {@link #acceptsFeedForward()} they also take
 * [N, C]. No preprocessor is ever inserted before them.
 */
public abstract class SequenceLayer extends ParamLayoutLayer {

    protected SequenceLayer() {
    }

    protected SequenceLayer(FeedForwardLayer.Builder<?> builder) {
        super(builder);
        if (activationFn != null && !(activationFn instanceof ActivationIdentity)) {
            throw invalid("has no activation function (got " + activationFn + ")");
        }
        if (nIn > 0) {
            nOut = nIn;
        }
    }

    /** Whether feed-forward input [N, C] is taken as well as sequences. */
    public boolean acceptsFeedForward() {
        return false;
    }

    /** The implementation for this configuration. */
    protected abstract QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        if (nIn <= 0) {
            throw invalid("the width (nIn) must be set, or the input type given");
        }
        return Layers.wire(createLayer(conf, dataType), conf, listeners, layerIndex, paramsView, initializeParams);
    }

    /** The width C of an input type this layer takes; a configuration error for any other. */
    protected long width(InputType inputType) {
        if (acceptsFeedForward() && inputType instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        if (inputType.getType() != InputType.Type.RNN) {
            throw invalid("expects a sequence [N, C, L] (recurrent input)"
                    + (acceptsFeedForward() ? " or feed-forward input [N, C]" : "") + ", got " + inputType);
        }
        return Sequences.recurrent(this, inputType).getSize();
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long c = width(inputType);
        if (nIn > 0 && nIn != c) {
            throw invalid("nIn mismatch: configured width " + nIn + " but the input " + inputType + " has " + c);
        }
        nIn = c;
        nOut = c;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        width(inputType);
        return inputType;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return Layers.memoryReport(this, this, inputType, getOutputType(-1, inputType),
                3 * inputType.arrayElementsPerExample());
    }

    /** Builder of the sequence layers: identity activation, so that a network-wide default does not reach them. */
    public abstract static class Builder<T extends Builder<T>> extends FeedForwardLayer.Builder<T> {

        protected Builder() {
            this.activationFn = new ActivationIdentity();
        }
    }
}
