package org.qat4j.layers.attention;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.QuantizerRegistry;
import org.qat4j.layers.Quantizing;

/**
 * Base configuration of the attention vertices: two inputs, a number of heads, parameter-free quantizers.
 *
 * <p>Sequences are in DL4J's recurrent layout {@code [N, D, L]} with {@code D = heads * d}; head {@code h} is
 * channels {@code h*d .. h*d+d-1}, i.e. the c-order reshape {@code [N, D, L] -> [N, H, d, L]}, the split
 * {@code DmdLoss} uses, so that distillation taps on Q, K, V and on the scores see the same heads.
 *
 * <p>A vertex has no parameters, so it has nowhere to keep a quantizer's learned scales or state: only quantizers
 * that declare no parameters are accepted. A quantizer absent means full precision.
 */
public abstract class MultiHeadVertex extends GraphVertex implements Quantizing {

    /**
     * Shape for which a quantizer is asked whether it declares parameters. Whether it does depends on its kind,
     * per tensor or per channel, not on the size of the tensor.
     */
    private static final long[] PROBE_SHAPE = {1, 1, 1};

    protected int heads = 1;

    protected MultiHeadVertex() {
    }

    public int getHeads() {
        return heads;
    }

    public void setHeads(int heads) {
        if (heads < 1) {
            throw invalid("heads must be >= 1 (got " + heads + ")");
        }
        this.heads = heads;
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    /** A configuration error naming this kind of vertex. */
    protected DL4JInvalidConfigException invalid(String what) {
        return new DL4JInvalidConfigException(getClass().getSimpleName() + ": " + what);
    }

    /** The quantizer, or a configuration error if it declares parameters. */
    protected Quantizer parameterFree(String setting, Quantizer q) {
        if (q == null) {
            return null;
        }
        List<ParamSpec> specs = q.paramSpecs(PROBE_SHAPE);
        if (!specs.isEmpty()) {
            throw invalid(setting + " " + q.getClass().getSimpleName() + " declares parameters "
                    + specs.stream().map(ParamSpec::name).toList() + ", but a graph vertex has none to keep them in;"
                    + " use a parameter-free quantizer (a sign estimator, ...) or none for full precision");
        }
        return q;
    }

    /** A quantizer by registry name and settings ({@code qat4j list}); errors name this vertex and the setting. */
    protected Quantizer named(String setting, String name, Map<String, String> settings) {
        try {
            return QuantizerRegistry.quantizer(name, settings);
        } catch (IllegalArgumentException e) {
            throw invalid(setting + ": " + e.getMessage());
        }
    }

    /** Checks that an input is a [N, D, L] sequence of known length whose D splits into the heads. */
    protected InputType.InputTypeRecurrent sequence(String input, InputType type) {
        if (!(type instanceof InputType.InputTypeRecurrent r) || r.getFormat() != RNNFormat.NCW) {
            throw invalid(input + " must be a recurrent [N, D, L] (NCW) sequence, got " + type);
        }
        if (r.getTimeSeriesLength() <= 0) {
            throw invalid(input + " needs a known sequence length (InputType.recurrent(size, length)), got " + type);
        }
        if (r.getSize() % heads != 0) {
            throw invalid(input + " size " + r.getSize() + " is not a multiple of " + heads + " heads");
        }
        return r;
    }

    /** Memory report of a parameter-free vertex: working memory per example, at inference and in training. */
    protected MemoryReport memoryReport(InputType in, InputType out, long inferencePerExample,
            long trainingPerExample) {
        return new LayerMemoryReport.Builder(null, getClass(), in, out).standardMemory(0, 0)
                .workingMemory(0, inferencePerExample, 0, trainingPerExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS).build();
    }

    /** Builder of the heads; subclasses add their quantizers. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<T extends Builder<T>> {
        protected int heads = 1;

        /** Number of heads H; the input size D must be a multiple of it (d = D / H). */
        public T heads(int heads) {
            this.heads = heads;
            return (T) this;
        }

        public abstract MultiHeadVertex build();
    }
}
