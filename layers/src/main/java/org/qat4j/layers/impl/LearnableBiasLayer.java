package org.qat4j.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.LearnableBias;

/** Implementation of {@link LearnableBias}. */
public class LearnableBiasLayer extends ChannelLayerImpl<LearnableBias> {

    public LearnableBiasLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        return out.assign(x).addi(perChannel(getParam(LearnableBias.BIAS_KEY), x));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        Gradient gradient = newGradient();
        putGradient(gradient, LearnableBias.BIAS_KEY, sumPerChannel(epsilon));
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape());
        return new Pair<>(gradient, eps.assign(epsilon));
    }
}
