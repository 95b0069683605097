package org.qat4j.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.layers.NativeBatchNorm;

/** Implementation of {@link NativeBatchNorm}. */
public class NativeBatchNormLayer extends ChannelLayerImpl<NativeBatchNorm> {

    private static final String XHAT = "xhat";
    private static final String INV_STD = "invStd";

    public NativeBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private INDArray invStd(INDArray var) {
        return Transforms.pow(var.add(layerConf().getEps()), -0.5, false);
    }

    /** The per-channel {scale, shift} of inference: y = x * scale + shift, from the running statistics. */
    public INDArray[] inferenceAffine() {
        INDArray scale = invStd(getParam(NativeBatchNorm.VAR_KEY)).muli(getParam(NativeBatchNorm.GAMMA_KEY));
        INDArray shift = getParam(NativeBatchNorm.MEAN_KEY).mul(scale).rsubi(getParam(NativeBatchNorm.BETA_KEY));
        return new INDArray[] {scale, shift};
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray gamma = getParam(NativeBatchNorm.GAMMA_KEY);
        INDArray beta = getParam(NativeBatchNorm.BETA_KEY);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        if (!training) {
            INDArray[] affine = inferenceAffine();
            return out.assign(x).muli(perChannel(affine[0], x)).addi(perChannel(affine[1], x));
        }
        double n = x.length() / (double) x.size(1);
        INDArray mean = sumPerChannel(x).divi(n);
        INDArray xhat = computeAndKeep(XHAT, mgr, () -> x.sub(perChannel(mean, x)));
        INDArray var = sumPerChannel(xhat.mul(xhat)).divi(n);
        INDArray inv = computeAndKeep(INV_STD, mgr, () -> invStd(var));
        xhat.muli(perChannel(inv, x));
        double decay = layerConf().getDecay();
        getParam(NativeBatchNorm.MEAN_KEY).muli(decay).addi(mean.muli(1 - decay));
        getParam(NativeBatchNorm.VAR_KEY).muli(decay).addi(var.muli((1 - decay) * n / Math.max(n - 1, 1)));
        return out.assign(xhat).muli(perChannel(gamma, x)).addi(perChannel(beta, x));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray xhat = kept(XHAT);
        INDArray inv = kept(INV_STD);
        double n = x.length() / (double) x.size(1);
        if (xhat == null || inv == null) {
            INDArray centred = x.sub(perChannel(sumPerChannel(x).divi(n), x));
            inv = invStd(sumPerChannel(centred.mul(centred)).divi(n));
            xhat = centred.muli(perChannel(inv, x));
        }
        INDArray gamma = getParam(NativeBatchNorm.GAMMA_KEY);
        INDArray dBeta = sumPerChannel(epsilon);
        INDArray dGamma = sumPerChannel(epsilon.mul(xhat));
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        dx.assign(xhat).muli(perChannel(dGamma.div(n), x)).rsubi(epsilon).subi(perChannel(dBeta.div(n), x))
                .muli(perChannel(gamma.mul(inv), x));
        Gradient gradient = newGradient();
        putGradient(gradient, NativeBatchNorm.GAMMA_KEY, dGamma);
        putGradient(gradient, NativeBatchNorm.BETA_KEY, dBeta);
        releaseKept();
        return new Pair<>(gradient, dx);
    }
}
