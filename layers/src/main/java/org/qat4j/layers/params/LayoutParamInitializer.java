package org.qat4j.layers.params;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameter initializer for every qat4j layer: slices the flat parameter (or gradient) view into the entries of the
 * layer's {@link ParamLayout}, in order, and initialises them by role.
 */
public final class LayoutParamInitializer implements ParamInitializer {

    public static final LayoutParamInitializer INSTANCE = new LayoutParamInitializer();

    private LayoutParamInitializer() {
    }

    private static List<ParamEntry> layout(Layer layer) {
        if (!(layer instanceof ParamLayout p)) {
            throw new IllegalArgumentException("not a qat4j layer: " + layer.getClass().getName());
        }
        return p.paramLayout();
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        long n = 0;
        for (ParamEntry e : layout(layer)) {
            n += e.length();
        }
        return n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>();
        for (ParamEntry e : layout(layer)) {
            keys.add(e.key());
        }
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return keysWithRole(layer, ParamEntry.Role.WEIGHT);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return keysWithRole(layer, ParamEntry.Role.BIAS);
    }

    private static List<String> keysWithRole(Layer layer, ParamEntry.Role role) {
        List<String> keys = new ArrayList<>();
        for (ParamEntry e : layout(layer)) {
            if (e.role() == role) {
                keys.add(e.key());
            }
        }
        return keys;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return weightKeys(layer).contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return biasKeys(layer).contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initialize) {
        Map<String, INDArray> out = slice(conf.getLayer(), paramsView);
        if (initialize) {
            BaseLayer layer = (BaseLayer) conf.getLayer();
            for (ParamEntry e : layout(layer)) {
                INDArray p = out.get(e.key());
                if (e.role() == ParamEntry.Role.WEIGHT) {
                    layer.getWeightInitFn().init(e.fanIn(), e.fanOut(), e.shape(), 'c', p);
                } else {
                    p.assign(e.initValue());
                }
            }
        }
        return out;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return slice(conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> slice(Layer layer, INDArray flat) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (flat == null) {
            // DL4J gives a layer without parameters no view at all
            return Collections.unmodifiableMap(out);
        }
        long offset = 0;
        INDArray row = flat.reshape(1, flat.length());
        for (ParamEntry e : layout(layer)) {
            INDArray view = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(offset, offset + e.length()));
            out.put(e.key(), view.reshape('c', e.shape()));
            offset += e.length();
        }
        return Collections.unmodifiableMap(out);
    }
}
