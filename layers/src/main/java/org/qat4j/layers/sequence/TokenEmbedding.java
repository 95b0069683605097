package org.qat4j.layers.sequence;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.Layers;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.sequence.impl.TokenEmbeddingLayer;

/**
 * Token embeddings: token ids [N, L] (or [N, 1, L]; floats holding integers, as DL4J's EmbeddingSequenceLayer
 * takes them) to the sequence [N, H, L] of rows of a table W [V, H], optionally quantized (e.g. binarized with
 * BiBERT's row-centred rule, {@code weightQuantizer("bibert", Map.of())}: one row per token).
 * <pre>
 *   W_q = Q_w(W),   y[n, :, l] = m[n, l] (W_q[id[n, l], :] + b)        m = padding mask (1 without one)
 *   dL/dW_q[v, :] = sum over (n, l) with id[n, l] = v of m[n, l] g[n, :, l]      (scatter-add)
 *   dL/db = sum_{n,l} m[n, l] g[n, :, l],   then the weight quantizer's backward; the ids get no gradient
 * </pre>
 * Padded positions are zeroed (as DL4J does) so that the row of the padding id learns nothing from them; the mask
 * passes on to the next layer. An id that is not an integer in [0, V) is an error naming the layer. nIn is the
 * vocabulary size V, nOut the width H; no bias by default, no activation, no input quantizer. A network declares
 * the ids as {@code InputType.recurrent(1, L)} (or {@code InputType.feedForward(L)}); the padding mask is the
 * features mask [N, L] of its DataSet.
 */
public class TokenEmbedding extends QuantizedLayer {

    public TokenEmbedding() {
    }

    private TokenEmbedding(Builder builder) {
        super(builder);
        if (inputQuantizer != null) {
            throw invalid("token ids are not quantized: remove the input quantizer");
        }
        if (activationFn != null && !(activationFn instanceof ActivationIdentity)) {
            throw invalid("has no activation function (got " + activationFn + ")");
        }
        initializeConstraints(builder);
    }

    /** The number of token ids V (nIn). */
    public long vocabularySize() {
        return nIn;
    }

    @Override
    public long[] weightShape() {
        return new long[] {nIn, nOut};
    }

    @Override
    protected double[] fans() {
        return new double[] {nIn, nOut};
    }

    /** Never used: the constructor refuses an input quantizer. */
    @Override
    public long[] inputQuantShape() {
        return new long[] {1, 1};
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new TokenEmbeddingLayer(conf, dataType);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        if (nIn <= 0 || nOut <= 0) {
            throw invalid("vocabularySize and nOut must be set and > 0 (got " + nIn + " and " + nOut + ")");
        }
        return Layers.wire(createLayer(conf, dataType), conf, listeners, layerIndex, paramsView, initializeParams);
    }

    /** The sequence length of the ids: InputType.recurrent(1, L) ([N, 1, L] or [N, L]) or feedForward(L). */
    private long sequenceLength(InputType inputType) {
        if (inputType instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        if (inputType.getType() == InputType.Type.RNN) {
            InputType.InputTypeRecurrent r = Sequences.recurrent(this, inputType);
            if (r.getSize() == 1) {
                return r.getTimeSeriesLength();
            }
        }
        throw invalid("expects token ids [N, L] declared as InputType.recurrent(1, L) or InputType.feedForward(L), got "
                + inputType);
    }

    /** The input type gives the sequence length only: nIn is the vocabulary size. */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        sequenceLength(inputType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(nOut, sequenceLength(inputType));
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        return Layers.memoryReport(this, this, inputType, outputType, 2 * outputType.arrayElementsPerExample());
    }

    /** Builder: {@code vocabularySize(V)}, {@code nOut(H)}, optional {@code weightQuantizer(..)} and bias. */
    public static class Builder extends QuantizedLayer.Builder<Builder> {

        public Builder() {
            this.hasBias = false;
            this.activationFn = new ActivationIdentity();
        }

        /** The number of token ids V; ids run from 0 to V - 1. */
        public Builder vocabularySize(long v) {
            return nIn(v);
        }

        @Override
        @SuppressWarnings("unchecked")
        public TokenEmbedding build() {
            return new TokenEmbedding(this);
        }
    }
}
