package org.qat4j.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.layers.NativeBatchNorm;

/** Implementation of {@link NativeBatchNorm}. */
public class NativeBatchNormLayer extends ChannelLayerImpl<NativeBatchNorm> {

    public NativeBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private DynamicCustomOp.DynamicCustomOpsBuilder op(String name) {
        return DynamicCustomOp.builder(name).addIntegerArguments(1, 1, 1)
                .addFloatingPointArguments(layerConf().getEps());
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray mean;
        INDArray var;
        if (training) {
            int[] axes = reduceAxes(x);
            mean = computeAndKeep(NativeBatchNorm.MEAN_KEY, mgr, () -> x.mean(axes));
            var = computeAndKeep(NativeBatchNorm.VAR_KEY, mgr, () -> x.var(false, axes));
            double decay = layerConf().getDecay();
            double n = x.length() / (double) x.size(1);
            getParam(NativeBatchNorm.MEAN_KEY).muli(decay).addi(mean.mul(1 - decay));
            getParam(NativeBatchNorm.VAR_KEY).muli(decay).addi(var.mul((1 - decay) * n / Math.max(n - 1, 1)));
        } else {
            mean = getParam(NativeBatchNorm.MEAN_KEY);
            var = getParam(NativeBatchNorm.VAR_KEY);
        }
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        Nd4j.exec(op("batchnorm").addInputs(x, mean.reshape(x.size(1)), var.reshape(x.size(1)),
                getParam(NativeBatchNorm.GAMMA_KEY), getParam(NativeBatchNorm.BETA_KEY)).addOutputs(out).build());
        return out;
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        int[] axes = reduceAxes(x);
        INDArray mean = kept(NativeBatchNorm.MEAN_KEY);
        INDArray var = kept(NativeBatchNorm.VAR_KEY);
        if (mean == null || var == null) {
            mean = x.mean(axes);
            var = x.var(false, axes);
        }
        INDArray gamma = getParam(NativeBatchNorm.GAMMA_KEY);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        INDArray dGamma = gamma.ulike();
        INDArray dBeta = gamma.ulike();
        Nd4j.exec(op("batchnorm_bp").addInputs(x, mean, var, gamma, getParam(NativeBatchNorm.BETA_KEY), epsilon)
                .addOutputs(dx, mean.ulike(), var.ulike(), dGamma, dBeta).build());
        Gradient gradient = newGradient();
        putGradient(gradient, NativeBatchNorm.GAMMA_KEY, dGamma);
        putGradient(gradient, NativeBatchNorm.BETA_KEY, dBeta);
        releaseKept();
        return new Pair<>(gradient, dx);
    }
}
