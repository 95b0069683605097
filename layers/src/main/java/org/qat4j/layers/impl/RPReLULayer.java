package org.qat4j.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Nd;
import org.qat4j.layers.RPReLU;

/** Implementation of {@link RPReLU}. */
public class RPReLULayer extends ChannelLayerImpl<RPReLU> {

    public RPReLULayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray t = x.add(perChannel(getParam(RPReLU.SHIFT_IN_KEY), x));
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        out.assign(slopeFactor(t, x)).muli(t);
        return out.addi(perChannel(getParam(RPReLU.SHIFT_OUT_KEY), x));
    }

    /** dy/dt: 1 where t > 0, the channel's slope elsewhere. */
    private INDArray slopeFactor(INDArray t, INDArray x) {
        INDArray positive = Nd.greaterThanInPlace(t.dup(), 0.0);
        INDArray slope = perChannel(getParam(RPReLU.SLOPE_KEY), x);
        return positive.rsub(1.0).muli(slope).addi(positive);
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray t = x.add(perChannel(getParam(RPReLU.SHIFT_IN_KEY), x));
        INDArray notPositive = Nd.greaterThanInPlace(t.dup(), 0.0).rsubi(1.0);
        INDArray dt = slopeFactor(t, x).muli(epsilon);
        Gradient gradient = newGradient();
        putGradient(gradient, RPReLU.SHIFT_IN_KEY, sumPerChannel(dt));
        putGradient(gradient, RPReLU.SLOPE_KEY, sumPerChannel(notPositive.muli(t).muli(epsilon)));
        putGradient(gradient, RPReLU.SHIFT_OUT_KEY, sumPerChannel(epsilon));
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        return new Pair<>(gradient, eps.assign(dt));
    }
}
