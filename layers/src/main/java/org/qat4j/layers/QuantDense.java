package org.qat4j.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.layers.impl.QuantDenseLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.sequence.Sequences;

/**
 * A fully connected layer with quantized weights and inputs.
 * <pre>
 *   x_q = Q_a(x),   W_q = Q_w(W),   y = act(x_q W_q^T + b)           W: [nOut, nIn] (output channels on axis 0)
 *   dL/dW_q = dz^T x_q,   dL/dx_q = dz W_q,   dL/db = sum_n dz,   then each quantizer's backward
 * </pre>
 * Without quantizers it computes exactly DL4J's {@code DenseLayer} (with the weight stored transposed).
 *
 * <p>On a sequence [N, nIn, L] (recurrent NCW input) it is applied at every position with the same weights and
 * gives [N, nOut, L] itself, without DL4J's RnnToFeedForward / FeedForwardToRnn preprocessors, so that its output
 * is a sequence vertex of the graph (a tap for distillation). The input quantizer sees the whole [N, nIn, L] tensor
 * with its parameters declared per channel as for [N, nIn]; the padding mask passes through unchanged (every
 * position is computed; padded ones never reach a real one).
 * <pre>
 *   y[n, :, l] = act(W_q x_q[n, :, l] + b)
 *   dL/dW_q = sum_{n,l} dz[n, :, l] x_q[n, :, l]^T,   dL/db = sum_{n,l} dz[n, :, l]
 *   dL/dx_q[n, :, l] = W_q^T dz[n, :, l]
 * </pre>
 */
public class QuantDense extends QuantizedLayer {

    public QuantDense() {
    }

    private QuantDense(Builder builder) {
        super(builder);
        initializeConstraints(builder);
    }

    @Override
    public long[] weightShape() {
        return new long[] {nOut, nIn};
    }

    @Override
    protected double[] fans() {
        return new double[] {nIn, nOut};
    }

    @Override
    public long[] inputQuantShape() {
        return new long[] {1, nIn};
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new QuantDenseLayer(conf, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        switch (inputType.getType()) {
            case FF:
            case CNN:
            case CNNFlat:
                return InputType.feedForward(nOut);
            case RNN:
                return InputType.recurrent(nOut, Sequences.recurrent(this, inputType).getTimeSeriesLength());
            default:
                throw invalid("expects feed-forward input, a sequence [N, nIn, L] or CNN input (flattened), got "
                        + inputType);
        }
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long actual = inputType.getType() == InputType.Type.RNN ? Sequences.recurrent(this, inputType).getSize()
                : inputType.arrayElementsPerExample();
        if (nIn > 0 && nIn != actual) {
            throw invalid("nIn mismatch: configured nIn=" + nIn + " but the input " + inputType + " has " + actual);
        }
        nIn = actual;
    }

    /** None for a sequence, which the layer takes as it is; DL4J's flattening for CNN input. */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return inputType.getType() == InputType.Type.RNN ? null : super.getPreProcessorForInputType(inputType);
    }

    /** Builder: {@code new QuantDense.Builder().nIn(..).nOut(..).weightQuantizer(..).inputQuantizer(..)}. */
    public static class Builder extends QuantizedLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public QuantDense build() {
            return new QuantDense(this);
        }
    }
}
