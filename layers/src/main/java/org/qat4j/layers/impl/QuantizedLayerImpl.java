package org.qat4j.layers.impl;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;
import org.nd4j.common.primitives.Pair;
import org.qat4j.layers.Layers;
import org.qat4j.layers.Profiler;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.params.ParamLayout;

/**
 * Shared machinery of the qat4j layer implementations: quantizer parameter tables as views of the layer's
 * parameters, schedule progress, and gradients written in place into DL4J's gradient views.
 */
public abstract class QuantizedLayerImpl<C extends org.deeplearning4j.nn.conf.layers.BaseLayer> extends BaseLayer<C> {

    /** Quantized tensors of the last training forward pass, for its backward pass. */
    private final Map<String, INDArray> kept = new HashMap<>();
    private INDArray keptFor;
    private Set<String> fixedKeys;
    private boolean training;

    protected QuantizedLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * Computes a value in the training forward pass and keeps it for the backward pass on the same input. It is
     * computed in the activations workspace, which DL4J keeps open until the backward pass ends, so keeping it
     * costs no copy.
     */
    protected INDArray computeAndKeep(String key, LayerWorkspaceMgr mgr, Supplier<INDArray> compute) {
        INDArray out;
        try (MemoryWorkspace ignored = mgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            out = compute.get();
        }
        if (keptFor != input) {
            kept.clear();
        }
        kept.put(key, out);
        keptFor = input;
        return out;
    }

    /** What {@link #computeAndKeep} kept under this key for the current input, or null. */
    protected INDArray kept(String key) {
        return keptFor == input ? kept.get(key) : null;
    }

    /** Forward-pass quantization; in training the result is kept for the backward pass. */
    protected INDArray quantizeAndKeep(Quantizer q, String prefix, INDArray x, boolean training,
            LayerWorkspaceMgr mgr) {
        if (!training || q == null) {
            return quantize(q, prefix, x);
        }
        return computeAndKeep(prefix, mgr, () -> quantize(q, prefix, x));
    }

    /** The quantized tensor for the backward pass: kept from the forward pass on this input, or recomputed. */
    protected INDArray quantizedForBackward(Quantizer q, String prefix, INDArray x) {
        if (q == null) {
            return x;
        }
        INDArray k = kept(prefix);
        return k != null && Arrays.equals(k.shape(), x.shape()) ? k : quantize(q, prefix, x);
    }

    /** Called at the end of a backward pass: what was kept belongs to that pass only. */
    protected void releaseKept() {
        kept.clear();
        keptFor = null;
    }

    @Override
    public void clear() {
        super.clear();
        releaseKept();
    }

    /** A quantizer's table: the parameters named {@code prefix + Name}, keyed by {@code name}. */
    protected Map<String, INDArray> prefixed(String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String name = QuantizedLayer.quantizerParamName(prefix, e.getKey());
            if (name != null) {
                out.put(name, e.getValue());
            }
        }
        return out;
    }

    /**
     * Runs a quantizer (or passes through when absent), its schedules first brought to the network's point of
     * training: in inference too, so that a network read from a checkpoint quantizes as it did when it was saved
     * (a delayed quantizer is on, a staged estimator in its stage).
     */
    protected INDArray quantize(Quantizer q, String prefix, INDArray x) {
        if (q == null) {
            return x;
        }
        q.onProgress(getEpochCount(), getIterationCount());
        long t = Profiler.start();
        INDArray out = q.forward(x, forwardParams(prefix));
        Profiler.stop(profileName(), Profiler.QUANTIZE, t);
        return out;
    }

    /**
     * A quantizer's table for a forward pass. In inference a quantizer not yet initialised (a probe before the first
     * step, an evaluation at the iteration a delayed quantizer switches on) initialises a copy: its data-dependent
     * initialisation belongs to the first training batch, and inference must not change the model.
     */
    protected Map<String, INDArray> forwardParams(String prefix) {
        Map<String, INDArray> table = prefixed(prefix);
        INDArray flag = table.get(Params.INITIALISED);
        if (training || flag == null || flag.getDouble(0) != 0.0) {
            return table;
        }
        Map<String, INDArray> copy = new LinkedHashMap<>();
        table.forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }

    /** The forward pass proper. */
    protected abstract INDArray forward(boolean training, LayerWorkspaceMgr mgr);

    /** The backward pass proper. */
    protected abstract Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr);

    @Override
    public final INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        this.training = training;
        long t = Profiler.start();
        INDArray out = forward(training, mgr);
        Profiler.stop(profileName(), Profiler.FORWARD, t);
        return out;
    }

    @Override
    public final Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        long t = Profiler.start();
        Pair<Gradient, INDArray> out = backward(epsilon, mgr);
        Profiler.stop(profileName(), Profiler.BACKWARD, t);
        return out;
    }

    private String profileName() {
        String name = layerConf().getLayerName();
        return name == null ? "layer" + getIndex() : name;
    }

    /**
     * Backward through a quantizer: returns dL/dx and writes the quantizer's parameter gradients into the gradient
     * views and the {@link Gradient}.
     */
    protected INDArray quantizeBackward(Quantizer q, String prefix, INDArray x, INDArray gradOut, Gradient gradient) {
        if (q == null) {
            return gradOut;
        }
        long t = Profiler.start();
        QuantGradient g = q.backward(x, prefixed(prefix), gradOut);
        Profiler.stop(profileName(), Profiler.QUANTIZE_BACKWARD, t);
        for (Map.Entry<String, INDArray> e : g.params().entrySet()) {
            putGradient(gradient, QuantizedLayer.paramKey(prefix, e.getKey()), e.getValue());
        }
        return g.input();
    }

    /** Copies a parameter gradient into its view and records it; a fixed parameter's stays zero. */
    protected void putGradient(Gradient gradient, String key, INDArray value) {
        INDArray view = gradientViews.get(key);
        if (!fixedKeys().contains(key)) {
            view.assign(value.reshape(view.shape()));
        }
        gradient.gradientForVariable().put(key, view);
    }

    /** Keys of the parameters that never move ({@link Layers#fixed}); the layout is fixed once the layer exists. */
    private Set<String> fixedKeys() {
        if (fixedKeys == null) {
            boolean frozen = layerConf() instanceof QuantizedLayer q && q.isFrozenWeights();
            Set<String> keys = new HashSet<>();
            for (ParamEntry e : ((ParamLayout) layerConf()).paramLayout()) {
                if (Layers.fixed(e, frozen)) {
                    keys.add(e.key());
                }
            }
            fixedKeys = keys;
        }
        return fixedKeys;
    }

    /**
     * A new gradient with zero for every fixed parameter: state has no gradient, frozen weights take none, and the
     * NoOp updater of both would apply stale data in their views.
     */
    protected Gradient newGradient() {
        Gradient g = new DefaultGradient();
        for (String key : fixedKeys()) {
            INDArray view = gradientViews.get(key);
            view.assign(0);
            g.gradientForVariable().put(key, view);
        }
        return g;
    }

    @Override
    public boolean updaterDivideByMinibatch(String paramName) {
        return !fixedKeys().contains(paramName);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return layerConf() instanceof QuantizedLayer q && q.isHasBias();
    }
}
