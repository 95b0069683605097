package org.qat4j.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Nd;
import org.qat4j.layers.RPReLU;

/**
 * Implementation of {@link RPReLU}, written as {@code y = t + (a - 1) min(t, 0) + zeta} so that each pass covers
 * the whole tensor and only one temporary is allocated per direction.
 */
public class RPReLULayer extends ChannelLayerImpl<RPReLU> {

    public RPReLULayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private INDArray slopeMinusOne(INDArray x) {
        return perChannel(getParam(RPReLU.SLOPE_KEY).sub(1.0), x);
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        out.assign(x).addi(perChannel(getParam(RPReLU.SHIFT_IN_KEY), x));
        INDArray negative = Transforms.min(out, 0.0, true).muli(slopeMinusOne(x));
        return out.addi(negative).addi(perChannel(getParam(RPReLU.SHIFT_OUT_KEY), x));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray t = x.add(perChannel(getParam(RPReLU.SHIFT_IN_KEY), x));
        INDArray dt = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        INDArray gNegative = Nd.greaterThanInPlace(dt.assign(t), 0.0).rsubi(1.0).muli(epsilon);
        Gradient gradient = newGradient();
        putGradient(gradient, RPReLU.SLOPE_KEY, sumPerChannel(t.muli(gNegative)));
        gNegative.muli(slopeMinusOne(x)).addi(epsilon);
        putGradient(gradient, RPReLU.SHIFT_IN_KEY, sumPerChannel(dt));
        putGradient(gradient, RPReLU.SHIFT_OUT_KEY, sumPerChannel(epsilon));
        return new Pair<>(gradient, dt);
    }
}
