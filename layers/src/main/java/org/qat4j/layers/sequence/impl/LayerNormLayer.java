package org.qat4j.layers.sequence.impl;

import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.layers.sequence.LayerNorm;
import org.qat4j.layers.sequence.Sequences;

/** Implementation of {@link LayerNorm}; the training forward keeps x^ and s for the backward. */
public class LayerNormLayer extends SequenceLayerImpl<LayerNorm> {

    private static final String XHAT = "xhat";
    private static final String INV_STD = "invStd";

    public LayerNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private INDArray keptInTraining(boolean training, String key, LayerWorkspaceMgr mgr, Supplier<INDArray> f) {
        return training ? computeAndKeep(key, mgr, f) : f.get();
    }

    /** s = 1 / sqrt(var + eps) per row or position, shaped [N, 1] or [N, 1, L]. */
    private INDArray invStd(INDArray centred) {
        return Transforms.pow(centred.mul(centred).mean(true, 1).addi(layerConf().getEps()), -0.5, false);
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray centred = x.sub(x.mean(true, 1));
        INDArray inv = keptInTraining(training, INV_STD, mgr, () -> invStd(centred));
        INDArray xhat = keptInTraining(training, XHAT, mgr, () -> centred.mul(inv));
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        return out.assign(xhat).muli(Sequences.perChannel(getParam(LayerNorm.GAMMA_KEY), x))
                .addi(Sequences.perChannel(getParam(LayerNorm.BETA_KEY), x));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray xhat = kept(XHAT);
        INDArray inv = kept(INV_STD);
        if (xhat == null || inv == null) {
            INDArray centred = x.sub(x.mean(true, 1));
            inv = invStd(centred);
            xhat = centred.muli(inv);
        }
        Gradient gradient = newGradient();
        putGradient(gradient, LayerNorm.GAMMA_KEY, Sequences.sumPerChannel(epsilon.mul(xhat)));
        putGradient(gradient, LayerNorm.BETA_KEY, Sequences.sumPerChannel(epsilon));
        INDArray h = epsilon.mul(Sequences.perChannel(getParam(LayerNorm.GAMMA_KEY), x));
        INDArray meanH = h.mean(true, 1);
        INDArray meanHXhat = h.mul(xhat).mean(true, 1);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        dx.assign(xhat).muli(meanHXhat).rsubi(h).subi(meanH).muli(inv);
        releaseKept();
        return new Pair<>(gradient, dx);
    }
}
