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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.layers.SinusoidalEmbedding;

/** Implementation of {@link SinusoidalEmbedding}: the phases t w_i are one outer product [N, 1] x [1, D/2]. */
public class SinusoidalEmbeddingLayer extends QuantizedLayerImpl<SinusoidalEmbedding> {

    public SinusoidalEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    private INDArray timesteps() {
        assertInputSet(false);
        if (input.rank() != 2 || input.size(1) != 1) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects one timestep per example,"
                    + " [minibatch, 1], got " + Arrays.toString(input.shape()));
        }
        return input.castTo(dataType);
    }

    /** The frequencies w_i as a row [1, D/2]. */
    private INDArray frequencies() {
        int half = layerConf().getDim() / 2;
        INDArray i = Nd4j.arange(0, half).castTo(dataType).reshape(1, half);
        return Transforms.exp(i.muli(-Math.log(layerConf().getMaxPeriod()) / half), false);
    }

    private static INDArray columns(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray phases = timesteps().mmul(frequencies());
        int half = layerConf().getDim() / 2;
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, phases.size(0), 2L * half);
        Transforms.sin(columns(out, 0, half).assign(phases), false);
        Transforms.cos(columns(out, half, 2L * half).assign(phases), false);
        return out;
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray w = frequencies();
        INDArray phases = timesteps().mmul(w);
        int half = layerConf().getDim() / 2;
        INDArray g = epsilon.castTo(dataType);
        INDArray perFrequency = Transforms.cos(phases, true).muli(columns(g, 0, half))
                .subi(Transforms.sin(phases, false).muli(columns(g, half, 2L * half)));
        INDArray dt = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, phases.size(0), 1);
        perFrequency.mmuli(w.reshape(half, 1), dt);
        return new Pair<>(newGradient(), dt);
    }
}
