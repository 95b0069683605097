package org.qat4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.layers.impl.QuantDenseLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;

/**
 * A fully connected layer with quantized weights and inputs.
 * <pre>
 *   x_q = Q_a(x),   W_q = Q_w(W),   y = act(x_q W_q^T + b)           W: [nOut, nIn] (output channels on axis 0)
 *   dL/dW_q = dz^T x_q,   dL/dx_q = dz W_q,   dL/db = sum_n dz,   then each quantizer's backward
 * </pre>
 * Without quantizers it computes exactly DL4J's {@code DenseLayer} (with the weight stored transposed).
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
        if (inputType.getType() != InputType.Type.FF && inputType.getType() != InputType.Type.CNN
                && inputType.getType() != InputType.Type.CNNFlat) {
            throw invalid("expects feed-forward input (or CNN input, flattened), got " + inputType);
        }
        return InputType.feedForward(nOut);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long actual = inputType.arrayElementsPerExample();
        if (nIn > 0 && nIn != actual) {
            throw invalid("nIn mismatch: configured nIn=" + nIn + " but the input " + inputType + " has " + actual);
        }
        nIn = actual;
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
