package org.qat4j.layers.sequence;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.sequence.impl.FirstTokenPoolingLayer;

/**
 * [CLS] pooling: the first position of a sequence [N, H, L] as the feature vector [N, H] of the example.
 * <pre>
 *   y[n, :] = x[n, :, 0]
 *   dL/dx[n, :, 0] = g[n, :],   dL/dx[n, :, l] = 0 for l &gt; 0
 * </pre>
 * Position 0 is a token in every example, so the padding mask is not needed here; it ends at this layer (the
 * output is feed-forward, with no mask).
 */
public class FirstTokenPooling extends SequenceLayer {

    public FirstTokenPooling() {
    }

    private FirstTokenPooling(Builder builder) {
        super(builder);
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(width(inputType));
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new FirstTokenPoolingLayer(conf, dataType);
    }

    /** Builder; the width H from nIn or the input type. */
    public static class Builder extends SequenceLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public FirstTokenPooling build() {
            return new FirstTokenPooling(this);
        }
    }
}
