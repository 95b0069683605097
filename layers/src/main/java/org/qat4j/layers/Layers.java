package org.qat4j.layers;

import java.util.Collection;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.params.ParamLayout;

/** Rules shared by every qat4j layer configuration, also those of other modules (distillation outputs). */
public final class Layers {

    private Layers() {
    }

    public static ParamEntry entry(ParamLayout layer, String paramName) {
        for (ParamEntry e : layer.paramLayout()) {
            if (e.key().equals(paramName)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown parameter '" + paramName + "'");
    }

    /** Wires a layer implementation to its configuration and parameter view, as every DL4J layer config does. */
    public static org.deeplearning4j.nn.api.Layer wire(QuantizedLayerImpl<?> layer, NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray paramsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(conf.getLayer().initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    /** A configuration error naming the layer. */
    public static DL4JInvalidConfigException invalid(Layer layer, String what) {
        String name = layer.getLayerName() == null ? layer.getClass().getSimpleName() : layer.getLayerName();
        return new DL4JInvalidConfigException("layer '" + name + "' (" + layer.getClass().getSimpleName() + "): "
                + what);
    }

    /** Memory report from the parameter layout, with a working-memory estimate of a few activations. */
    public static LayerMemoryReport memoryReport(Layer layer, ParamLayout layout, InputType in, InputType out,
            long workingPerExample) {
        long numParams = 0;
        long updaterState = 0;
        for (ParamEntry e : layout.paramLayout()) {
            numParams += e.length();
            updaterState += layer.getUpdaterByParam(e.key()).stateSize(e.length());
        }
        return new LayerMemoryReport.Builder(layer.getLayerName(), layer.getClass(), in, out)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, workingPerExample, 0, 2 * workingPerExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    /**
     * Whether a parameter never moves: state, and with frozen weights the layer's weights and bias (post-training
     * quantization trains only the quantizers' parameters, e.g. AdaRound's V). Such a parameter has a {@link NoOp}
     * updater, which applies its gradient unchanged, so its gradient must be zero and it takes no regularisation.
     */
    public static boolean fixed(ParamEntry e, boolean frozenWeights) {
        return e.role() == ParamEntry.Role.STATE
                || frozenWeights && (e.role() == ParamEntry.Role.WEIGHT || e.role() == ParamEntry.Role.BIAS);
    }

    /**
     * Fixed parameters ({@link #fixed}) take {@link NoOp}; biases the bias updater when one is set; everything else
     * the layer's updater.
     */
    public static IUpdater updaterFor(ParamLayout layer, String paramName, IUpdater updater, IUpdater biasUpdater,
            boolean frozenWeights) {
        ParamEntry e = entry(layer, paramName);
        if (fixed(e, frozenWeights)) {
            return new NoOp();
        }
        if (e.role() == ParamEntry.Role.BIAS && biasUpdater != null) {
            return biasUpdater;
        }
        return updater;
    }
}
