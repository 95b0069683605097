package org.qat4j.layers.impl;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.layers.GroupNorm;

/**
 * Implementation of {@link GroupNorm}. Every tensor is handled through two c-order views of the same values: the
 * group rows [N, G, (C/G) S], one row per (sample, group), for the statistics, and the channel rows [N, C, S] for
 * gamma, beta and their gradients (S = H W, L or 1), so that all reductions run along the contiguous last axis.
 * The training forward keeps x^ and s for the backward.
 */
public class GroupNormLayer extends QuantizedLayerImpl<GroupNorm> {

    private static final String XHAT = "xhat";
    private static final String INV_STD = "invStd";

    public GroupNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        if (input == null || input.rank() == 2) {
            return Type.FEED_FORWARD;
        }
        return input.rank() == 3 ? Type.RECURRENT : Type.CONVOLUTIONAL;
    }

    private INDArray checkedInput() {
        assertInputSet(false);
        long c = layerConf().getNIn();
        if (input.rank() < 2 || input.rank() > 4 || input.size(1) != c) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects input [minibatch, " + c
                    + "], [minibatch, " + c + ", length] or [minibatch, " + c + ", height, width], got "
                    + Arrays.toString(input.shape()));
        }
        if (input.rank() == 3 && maskArray != null) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' does not take padded sequences: its"
                    + " statistics cover every position, so padding would change the real positions' outputs");
        }
        return input.castTo(dataType);
    }

    /** a as [N, G, (C/G) S]: the values of one (sample, group) in one row. */
    private INDArray groupRows(INDArray a) {
        long n = a.size(0);
        int g = layerConf().getGroups();
        return a.reshape('c', n, g, a.length() / (n * g));
    }

    /** a as [N, C, S]. */
    private static INDArray channelRows(INDArray a) {
        long n = a.size(0);
        long c = a.size(1);
        return a.reshape('c', n, c, a.length() / (n * c));
    }

    /** A [C] parameter shaped [1, C, 1] to broadcast against channel rows. */
    private static INDArray perChannel(INDArray param) {
        return param.reshape(1, param.length(), 1);
    }

    /** s = 1 / sqrt(var + eps) per (sample, group), [N, G, 1], from the centred group rows. */
    private INDArray invStd(INDArray centred) {
        return Transforms.pow(centred.mul(centred).mean(true, 2).addi(layerConf().getEps()), -0.5, false);
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray xg = groupRows(x);
        INDArray centred = xg.sub(xg.mean(true, 2));
        INDArray xhat;
        if (training) {
            INDArray inv = computeAndKeep(INV_STD, mgr, () -> invStd(centred));
            xhat = computeAndKeep(XHAT, mgr, () -> centred.mul(inv));
        } else {
            xhat = centred.muli(invStd(centred));
        }
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        groupRows(out).assign(xhat);
        channelRows(out).muli(perChannel(getParam(GroupNorm.GAMMA_KEY)))
                .addi(perChannel(getParam(GroupNorm.BETA_KEY)));
        return out;
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray xhat = kept(XHAT);
        INDArray inv = kept(INV_STD);
        if (xhat == null || inv == null) {
            INDArray xg = groupRows(x);
            INDArray centred = xg.sub(xg.mean(true, 2));
            inv = invStd(centred);
            xhat = centred.muli(inv);
        }
        INDArray g = channelRows(epsilon.castTo(dataType));
        INDArray xhatChannels = xhat.reshape('c', g.shape());
        Gradient gradient = newGradient();
        putGradient(gradient, GroupNorm.GAMMA_KEY, g.mul(xhatChannels).sum(2).sum(0));
        putGradient(gradient, GroupNorm.BETA_KEY, g.sum(2).sum(0));
        INDArray h = groupRows(g.mul(perChannel(getParam(GroupNorm.GAMMA_KEY))));
        INDArray meanH = h.mean(true, 2);
        INDArray meanHXhat = h.mul(xhat).mean(true, 2);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        groupRows(dx).assign(xhat).muli(meanHXhat).rsubi(h).subi(meanH).muli(inv);
        releaseKept();
        return new Pair<>(gradient, dx);
    }
}
