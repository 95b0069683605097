package org.qat4j.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantizedLayer;

/** Implementation of {@link QuantActivation}. */
public class QuantActivationLayer extends ChannelLayerImpl<QuantActivation> {

    public QuantActivationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return input != null && input.rank() == 3 ? Type.RECURRENT : super.type();
    }

    /** A sequence [N, C, L] is taken as the image [N, C, L, 1]: the quantizer and threshold then act as on NCHW. */
    @Override
    protected INDArray checkedInput() {
        if (input != null && input.rank() == 3 && input.size(1) == layerConf().getNIn()) {
            return input.castTo(dataType).reshape('c', input.size(0), input.size(1), input.size(2), 1);
        }
        return super.checkedInput();
    }

    private INDArray shifted(INDArray x) {
        return layerConf().isLearnableThreshold()
                ? x.add(perChannel(getParam(QuantActivation.THRESHOLD_KEY), x)) : x;
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray y = quantize(layerConf().getQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, shifted(x));
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        return out.assign(y).reshape('c', input.shape());
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        Gradient gradient = newGradient();
        INDArray dt = quantizeBackward(layerConf().getQuantizer(), QuantizedLayer.INPUT_QUANT_PREFIX, shifted(x),
                epsilon.reshape('c', x.shape()), gradient);
        if (layerConf().isLearnableThreshold()) {
            putGradient(gradient, QuantActivation.THRESHOLD_KEY, sumPerChannel(dt));
        }
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        return new Pair<>(gradient, eps.assign(dt).reshape('c', input.shape()));
    }
}
