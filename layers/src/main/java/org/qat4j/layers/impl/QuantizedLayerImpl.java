package org.qat4j.layers.impl;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.params.ParamLayout;

/**
 * Shared machinery of the qat4j layer implementations: quantizer parameter tables as views of the layer's
 * parameters, schedule progress, and gradients written in place into DL4J's gradient views.
 */
public abstract class QuantizedLayerImpl<C extends org.deeplearning4j.nn.conf.layers.BaseLayer> extends BaseLayer<C> {

    protected QuantizedLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** A quantizer's table: the parameters named {@code prefix + Name}, keyed by {@code name}. */
    protected Map<String, INDArray> prefixed(String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String k = e.getKey();
            if (k.length() > prefix.length() && k.startsWith(prefix)
                    && Character.isUpperCase(k.charAt(prefix.length()))) {
                out.put(Character.toLowerCase(k.charAt(prefix.length())) + k.substring(prefix.length() + 1),
                        e.getValue());
            }
        }
        return out;
    }

    /** Runs a quantizer (or passes through when absent); in training, advances its schedules first. */
    protected INDArray quantize(Quantizer q, String prefix, INDArray x, boolean training) {
        if (q == null) {
            return x;
        }
        if (training) {
            q.onProgress(getEpochCount(), getIterationCount());
        }
        return q.forward(x, prefixed(prefix));
    }

    /**
     * Backward through a quantizer: returns dL/dx and writes the quantizer's parameter gradients into the gradient
     * views and the {@link Gradient}.
     */
    protected INDArray quantizeBackward(Quantizer q, String prefix, INDArray x, INDArray gradOut, Gradient gradient) {
        if (q == null) {
            return gradOut;
        }
        QuantGradient g = q.backward(x, prefixed(prefix), gradOut);
        for (Map.Entry<String, INDArray> e : g.params().entrySet()) {
            putGradient(gradient, QuantizedLayer.paramKey(prefix, e.getKey()), e.getValue());
        }
        return g.input();
    }

    /** Copies a parameter gradient into its view and records it. */
    protected void putGradient(Gradient gradient, String key, INDArray value) {
        INDArray view = gradientViews.get(key);
        view.assign(value.reshape(view.shape()));
        gradient.gradientForVariable().put(key, view);
    }

    /** A new gradient with zero for every state entry (state has no gradient; its view must not carry stale data). */
    protected Gradient newGradient() {
        Gradient g = new DefaultGradient();
        for (ParamEntry e : ((ParamLayout) layerConf()).paramLayout()) {
            if (e.role() == ParamEntry.Role.STATE) {
                INDArray view = gradientViews.get(e.key());
                view.assign(0);
                g.gradientForVariable().put(e.key(), view);
            }
        }
        return g;
    }

    @Override
    public boolean updaterDivideByMinibatch(String paramName) {
        for (ParamEntry e : ((ParamLayout) layerConf()).paramLayout()) {
            if (e.key().equals(paramName)) {
                return e.role() != ParamEntry.Role.STATE;
            }
        }
        return true;
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
