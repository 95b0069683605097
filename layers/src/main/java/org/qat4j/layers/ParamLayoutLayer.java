package org.qat4j.layers;

import java.util.List;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.qat4j.layers.params.LayoutParamInitializer;
import org.qat4j.layers.params.ParamLayout;

/**
 * Base of qat4j's layer configurations whose parameters are declared by a {@link ParamLayout}: DL4J sizes,
 * initialises and views them through {@link LayoutParamInitializer}; trainable entries take the layer's updater
 * (bias-like ones the bias updater), state entries none; nothing is regularised unless a subclass says so, and
 * nothing is pretrained.
 */
public abstract class ParamLayoutLayer extends FeedForwardLayer implements ParamLayout {

    protected ParamLayoutLayer() {
    }

    protected ParamLayoutLayer(FeedForwardLayer.Builder<?> builder) {
        super(builder);
    }

    @Override
    public ParamInitializer initializer() {
        return LayoutParamInitializer.INSTANCE;
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return Layers.updaterFor(this, paramName, iUpdater, biasUpdater, false);
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return List.of();
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    protected DL4JInvalidConfigException invalid(String what) {
        return Layers.invalid(this, what);
    }
}
