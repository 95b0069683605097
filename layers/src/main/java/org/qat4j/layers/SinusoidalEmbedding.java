package org.qat4j.layers;

import java.util.Collection;
import java.util.List;
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
import org.qat4j.layers.impl.SinusoidalEmbeddingLayer;
import org.qat4j.layers.params.ParamEntry;

/**
 * Sinusoidal timestep embedding of a diffusion model (DDPM, after the transformer's position encoding): a
 * timestep t per example, input [N, 1] (a float, e.g. 0..999), becomes the vector [N, D] of sines and cosines of t
 * at D/2 geometrically spaced frequencies.
 * <pre>
 *   w_i = exp(-ln(maxPeriod) i / (D/2)),   i = 0 .. D/2 - 1                  (w_0 = 1, down towards 1/maxPeriod)
 *   y = [sin(t w_0) .. sin(t w_{D/2-1}),  cos(t w_0) .. cos(t w_{D/2-1})]
 *   dL/dt = sum_i w_i (g_i cos(t w_i) - g_{D/2+i} sin(t w_i))
 * </pre>
 * No parameters. In a diffusion model t is data and the derivative is never used; it is exact all the same, so
 * that the layer can sit anywhere in a network and gradient checks hold.
 */
public class SinusoidalEmbedding extends ParamLayoutLayer {

    public static final double DEFAULT_MAX_PERIOD = 10000;

    private int dim;
    private double maxPeriod = DEFAULT_MAX_PERIOD;

    public SinusoidalEmbedding() {
    }

    private SinusoidalEmbedding(Builder builder) {
        super(builder);
        if (activationFn != null && !(activationFn instanceof ActivationIdentity)) {
            throw invalid("has no activation function (got " + activationFn + ")");
        }
        if (builder.dim < 2 || builder.dim % 2 != 0) {
            throw invalid("dim must be even and >= 2 (got " + builder.dim + ")");
        }
        if (!(builder.maxPeriod > 0) || Double.isInfinite(builder.maxPeriod)) {
            throw invalid("maxPeriod must be > 0 and finite (got " + builder.maxPeriod + ")");
        }
        if (nIn > 1) {
            throw invalid("takes one timestep per example, so nIn is 1 (got " + nIn + ")");
        }
        if (nOut > 0 && nOut != builder.dim) {
            throw invalid("nOut " + nOut + " differs from dim " + builder.dim + "; set dim only");
        }
        this.dim = builder.dim;
        this.maxPeriod = builder.maxPeriod;
        this.nIn = 1;
        this.nOut = dim;
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    public double getMaxPeriod() {
        return maxPeriod;
    }

    public void setMaxPeriod(double maxPeriod) {
        this.maxPeriod = maxPeriod;
    }

    /** Checks that the input is one timestep per example, [N, 1]. */
    private void timesteps(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeFeedForward ff) || ff.getSize() != 1) {
            throw invalid("expects one timestep per example, feed-forward input [N, 1], got " + inputType);
        }
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        timesteps(inputType);
        nIn = 1;
        nOut = dim;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        timesteps(inputType);
        return InputType.feedForward(dim);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public List<ParamEntry> paramLayout() {
        return List.of();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        return Layers.wire(new SinusoidalEmbeddingLayer(conf, dataType), conf, listeners, layerIndex, paramsView,
                initializeParams);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return Layers.memoryReport(this, this, inputType, getOutputType(-1, inputType), 2L * dim);
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        SinusoidalEmbedding other = (SinusoidalEmbedding) o;
        return dim == other.dim && maxPeriod == other.maxPeriod;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), dim, maxPeriod);
    }

    /** Builder: {@code dim} D (even; required) and {@code maxPeriod} (default 10000). No activation function. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private int dim;
        private double maxPeriod = DEFAULT_MAX_PERIOD;

        public Builder() {
            this.activationFn = new ActivationIdentity();
        }

        /** Width D of the embedding: D/2 sines, then D/2 cosines. */
        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        /** The frequency range: w_i falls geometrically from 1 towards 1/maxPeriod. */
        public Builder maxPeriod(double maxPeriod) {
            this.maxPeriod = maxPeriod;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SinusoidalEmbedding build() {
            return new SinusoidalEmbedding(this);
        }
    }
}
