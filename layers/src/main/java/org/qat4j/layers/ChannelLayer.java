package org.qat4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.impl.QuantizedLayerImpl;

/**
 * Base of the element-wise layers with per-channel parameters (activation quantizers, RPReLU, learnable bias,
 * batch normalization): input [N, C] or NCHW [N, C, H, W], output of the same shape, parameters of shape [C].
 */
public abstract class ChannelLayer extends ParamLayoutLayer {

    protected ChannelLayer() {
    }

    protected ChannelLayer(FeedForwardLayer.Builder<?> builder) {
        super(builder);
        if (nIn > 0) {
            nOut = nIn;
        }
    }

    /** The implementation for this configuration. */
    protected abstract QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        if (nIn <= 0) {
            throw invalid("the number of channels (nIn) must be set, or the input type given");
        }
        return Layers.wire(createLayer(conf, dataType), conf, listeners, layerIndex, paramsView, initializeParams);
    }

    /** Per-channel parameter shape. */
    protected long[] channels() {
        return new long[] {nIn};
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        switch (inputType.getType()) {
            case FF:
            case CNN:
                return inputType;
            case CNNFlat:
                InputType.InputTypeConvolutionalFlat f = (InputType.InputTypeConvolutionalFlat) inputType;
                return InputType.convolutional(f.getHeight(), f.getWidth(), f.getDepth());
            default:
                throw invalid("expects feed-forward or convolutional input, got " + inputType);
        }
    }

    /** The number of channels C of an input type this layer takes; a configuration error for any other. */
    protected long channelCount(InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional conv) {
            return conv.getChannels();
        }
        if (inputType instanceof InputType.InputTypeConvolutionalFlat flat) {
            return flat.getDepth();
        }
        if (inputType instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        throw invalid("expects feed-forward or convolutional input, got " + inputType);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long c = channelCount(inputType);
        if (nIn > 0 && nIn != c) {
            throw invalid("nIn mismatch: configured " + nIn + " channels but the input has " + c);
        }
        nIn = c;
        nOut = c;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutionalFlat f) {
            return new FeedForwardToCnnPreProcessor(f.getHeight(), f.getWidth(), f.getDepth());
        }
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return Layers.memoryReport(this, this, inputType, getOutputType(-1, inputType),
                3 * inputType.arrayElementsPerExample());
    }
}
