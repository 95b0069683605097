package org.qat4j.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.QuantizerRegistry;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;

/**
 * Base configuration of the qat4j layers: an optional weight quantizer and an optional input (activation)
 * quantizer, absent meaning full precision. Their parameters become parameters of the layer, named with the prefix
 * {@value #WEIGHT_QUANT_PREFIX} or {@value #INPUT_QUANT_PREFIX} and the capitalised quantizer name ({@code wqScale},
 * {@code aqStep}; DL4J reserves '_' in parameter keys): trainable ones are updated by the network's updater, state
 * entries have a {@link NoOp} updater and are saved with the model. A quantizer's declared regularisers
 * ({@link Quantizer#regularization(String)}) are the regularisation of the layer parameter holding that quantizer
 * parameter. With {@code frozenWeights} the weights and bias are fixed (NoOp updater, zero gradient, no
 * regularisation) while the quantizers' parameters train: post-training quantization with learned rounding.
 */
public abstract class QuantizedLayer extends ParamLayoutLayer implements Quantizing {

    public static final String WEIGHT_KEY = "W";
    public static final String BIAS_KEY = "b";
    public static final String WEIGHT_QUANT_PREFIX = "wq";
    public static final String INPUT_QUANT_PREFIX = "aq";

    protected Quantizer weightQuantizer;
    protected Quantizer inputQuantizer;
    protected boolean hasBias = true;
    protected boolean frozenWeights;

    protected QuantizedLayer() {
    }

    protected QuantizedLayer(Builder<?> builder) {
        super(builder);
        this.weightQuantizer = resolve("weightQuantizer", builder.weightQuantizer, builder.weightQuantizerName,
                builder.weightQuantizerSettings);
        this.inputQuantizer = resolve("inputQuantizer", builder.inputQuantizer, builder.inputQuantizerName,
                builder.inputQuantizerSettings);
        this.hasBias = builder.hasBias;
        this.frozenWeights = builder.frozenWeights;
    }

    /** A quantizer given as an object, or by registry name and settings (errors name this layer and the setting). */
    private Quantizer resolve(String setting, Quantizer q, String name, Map<String, String> settings) {
        if (name == null) {
            return q;
        }
        try {
            return QuantizerRegistry.quantizer(name, settings);
        } catch (IllegalArgumentException e) {
            throw invalid(setting + ": " + e.getMessage());
        }
    }

    public Quantizer getWeightQuantizer() {
        return weightQuantizer;
    }

    @Override
    public List<Quantizer> quantizers() {
        return List.copyOf(quantizersByPrefix().values());
    }

    public void setWeightQuantizer(Quantizer weightQuantizer) {
        this.weightQuantizer = weightQuantizer;
    }

    public Quantizer getInputQuantizer() {
        return inputQuantizer;
    }

    public void setInputQuantizer(Quantizer inputQuantizer) {
        this.inputQuantizer = inputQuantizer;
    }

    public boolean isHasBias() {
        return hasBias;
    }

    public void setHasBias(boolean hasBias) {
        this.hasBias = hasBias;
    }

    public boolean isFrozenWeights() {
        return frozenWeights;
    }

    public void setFrozenWeights(boolean frozenWeights) {
        this.frozenWeights = frozenWeights;
    }

    /** Shape of the latent weight tensor; output channels on axis 0. */
    public abstract long[] weightShape();

    /** Fan-in and fan-out for weight initialisation. */
    protected abstract double[] fans();

    /** Shape the input quantizer declares its parameters for: batch 1, channels on axis 1. */
    public abstract long[] inputQuantShape();

    /** Layer-specific parameters after the quantizers' (e.g. output scaling); none by default. */
    protected List<ParamEntry> extraParams() {
        return List.of();
    }

    @Override
    public List<ParamEntry> paramLayout() {
        List<ParamEntry> out = new ArrayList<>();
        double[] fans = fans();
        out.add(ParamEntry.weight(WEIGHT_KEY, weightShape(), fans[0], fans[1]));
        if (hasBias) {
            out.add(ParamEntry.bias(BIAS_KEY, new long[] {nOut}, biasInit));
        }
        addQuantizerParams(out, WEIGHT_QUANT_PREFIX, weightQuantizer, weightShape());
        addQuantizerParams(out, INPUT_QUANT_PREFIX, inputQuantizer, inputQuantShape());
        out.addAll(extraParams());
        return out;
    }

    static void addQuantizerParams(List<ParamEntry> out, String prefix, Quantizer q, long[] shape) {
        if (q == null) {
            return;
        }
        for (ParamSpec s : q.paramSpecs(shape)) {
            String key = paramKey(prefix, s.name());
            out.add(s.trainable() ? ParamEntry.trainable(key, s.shape(), s.initValue())
                    : ParamEntry.state(key, s.shape(), s.initValue()));
        }
    }

    /** The layer parameter key of a quantizer parameter: prefix + capitalised name. */
    public static String paramKey(String prefix, String name) {
        return prefix + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /** The quantizer parameter name a layer parameter key holds under this prefix ({@link #paramKey}'s inverse), or null. */
    public static String quantizerParamName(String prefix, String key) {
        if (key.length() <= prefix.length() || !key.startsWith(prefix)
                || !Character.isUpperCase(key.charAt(prefix.length()))) {
            return null;
        }
        return Character.toLowerCase(key.charAt(prefix.length())) + key.substring(prefix.length() + 1);
    }

    /** The quantizers whose parameters this layer holds, by parameter key prefix (absent ones left out). */
    protected Map<String, Quantizer> quantizersByPrefix() {
        Map<String, Quantizer> out = new LinkedHashMap<>();
        if (weightQuantizer != null) {
            out.put(WEIGHT_QUANT_PREFIX, weightQuantizer);
        }
        if (inputQuantizer != null) {
            out.put(INPUT_QUANT_PREFIX, inputQuantizer);
        }
        return out;
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return Layers.updaterFor(this, paramName, iUpdater, biasUpdater, frozenWeights);
    }

    /** The layer's (bias) regularisation for W (b) unless frozen; a quantizer's declared ones for its parameters. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (WEIGHT_KEY.equals(paramName)) {
            return frozenWeights ? List.of() : regularization;
        }
        if (BIAS_KEY.equals(paramName)) {
            return frozenWeights ? List.of() : regularizationBias;
        }
        for (Map.Entry<String, Quantizer> e : quantizersByPrefix().entrySet()) {
            String name = quantizerParamName(e.getKey(), paramName);
            if (name != null) {
                return e.getValue().regularization(name);
            }
        }
        return List.of();
    }

    /** The implementation for this configuration. */
    protected abstract QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray paramsView, boolean initializeParams,
            DataType dataType) {
        if (nIn <= 0 || nOut <= 0) {
            throw invalid("nIn and nOut must be set and > 0 (got nIn=" + nIn + ", nOut=" + nOut + ")");
        }
        return Layers.wire(createLayer(conf, dataType), conf, listeners, layerIndex, paramsView, initializeParams);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        return Layers.memoryReport(this, this, inputType, outputType,
                3 * inputType.arrayElementsPerExample() + outputType.arrayElementsPerExample());
    }

    /** A configuration error naming this layer. */
    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        QuantizedLayer other = (QuantizedLayer) o;
        return java.util.Objects.equals(weightQuantizer, other.weightQuantizer) && java.util.Objects.equals(inputQuantizer, other.inputQuantizer) && java.util.Objects.equals(hasBias, other.hasBias) && frozenWeights == other.frozenWeights;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), weightQuantizer, inputQuantizer, hasBias, frozenWeights);
    }

    /** Builder shared by the quantized layers. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<T extends Builder<T>> extends FeedForwardLayer.Builder<T> {
        protected Quantizer weightQuantizer;
        protected Quantizer inputQuantizer;
        protected String weightQuantizerName;
        protected Map<String, String> weightQuantizerSettings = Map.of();
        protected String inputQuantizerName;
        protected Map<String, String> inputQuantizerSettings = Map.of();
        protected boolean hasBias = true;
        protected boolean frozenWeights;

        /** Quantizer of the latent weights (output channels on axis 0); none = full precision. */
        public T weightQuantizer(Quantizer q) {
            this.weightQuantizer = q;
            this.weightQuantizerName = null;
            return (T) this;
        }

        /** Weight quantizer by registry name ({@code qat4j list}) and settings, resolved at build time. */
        public T weightQuantizer(String name, Map<String, String> settings) {
            this.weightQuantizerName = name;
            this.weightQuantizerSettings = settings;
            return (T) this;
        }

        /** Quantizer of the layer input (channels on axis 1); none = full precision. */
        public T inputQuantizer(Quantizer q) {
            this.inputQuantizer = q;
            this.inputQuantizerName = null;
            return (T) this;
        }

        /** Input quantizer by registry name and settings, resolved at build time. */
        public T inputQuantizer(String name, Map<String, String> settings) {
            this.inputQuantizerName = name;
            this.inputQuantizerSettings = settings;
            return (T) this;
        }

        public T hasBias(boolean hasBias) {
            this.hasBias = hasBias;
            return (T) this;
        }

        /**
         * Fix the weights and bias (NoOp updater, zero gradient, no regularisation) and train only the quantizers'
         * parameters, as post-training quantization with learned rounding does. Default false.
         */
        public T frozenWeights(boolean frozenWeights) {
            this.frozenWeights = frozenWeights;
            return (T) this;
        }

        /** Clip the latent weights to [-c, c] after every update. */
        public T latentClip(double c) {
            return constrainWeights(new LatentClip(c));
        }
    }
}
