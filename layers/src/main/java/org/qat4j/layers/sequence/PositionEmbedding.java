package org.qat4j.layers.sequence;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.sequence.impl.PositionEmbeddingLayer;

/**
 * Learned absolute position embeddings (BERT): a table P [H, maxLength] whose first L columns are added to a
 * sequence [N, H, L], L &lt;= maxLength.
 * <pre>
 *   y[n, :, l] = x[n, :, l] + P[:, l]
 *   dL/dx = g,   dL/dP[:, l] = sum_n g[n, :, l] for l &lt; L, 0 beyond
 * </pre>
 * P is initialised from N(0, 0.02) as in BERT unless the layer is given another weight initialisation, and is
 * regularised like weights. maxLength is set on the builder or taken from the input type's sequence length. The
 * padding mask passes through.
 */
public class PositionEmbedding extends SequenceLayer {

    public static final String POSITIONS_KEY = "P";

    private long maxLength;

    public PositionEmbedding() {
    }

    private PositionEmbedding(Builder builder) {
        super(builder);
        if (builder.maxLength < 0) {
            throw invalid("maxLength must be > 0 (got " + builder.maxLength + ")");
        }
        this.maxLength = builder.maxLength;
    }

    public long getMaxLength() {
        return maxLength;
    }

    public void setMaxLength(long maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        super.setNIn(inputType, override);
        long length = Sequences.recurrent(this, inputType).getTimeSeriesLength();
        if (maxLength <= 0) {
            maxLength = Math.max(length, 0);
        } else if (length > maxLength) {
            throw invalid("the input " + inputType + " is longer than maxLength=" + maxLength);
        }
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of(ParamEntry.weight(POSITIONS_KEY, new long[] {nIn, maxLength}, maxLength, nIn));
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return POSITIONS_KEY.equals(paramName) ? regularization : List.of();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        if (maxLength <= 0) {
            throw invalid("maxLength must be set, or the input type give the sequence length");
        }
        return super.instantiate(conf, listeners, layerIndex, paramsView, initializeParams, dataType);
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new PositionEmbeddingLayer(conf, dataType);
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o.getClass() == getClass() && maxLength == ((PositionEmbedding) o).maxLength;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), maxLength);
    }

    /** Builder: {@code maxLength} (or from the input type); the width H from nIn or the input type. */
    public static class Builder extends SequenceLayer.Builder<Builder> {
        private long maxLength;

        public Builder() {
            this.weightInitFn = new WeightInitDistribution(new NormalDistribution(0, 0.02));
        }

        /** The longest sequence the table covers. */
        public Builder maxLength(long maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public PositionEmbedding build() {
            return new PositionEmbedding(this);
        }
    }
}
