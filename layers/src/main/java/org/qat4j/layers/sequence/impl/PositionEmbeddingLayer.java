package org.qat4j.layers.sequence.impl;

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
import org.qat4j.layers.sequence.PositionEmbedding;

/** Implementation of {@link PositionEmbedding}. */
public class PositionEmbeddingLayer extends SequenceLayerImpl<PositionEmbedding> {

    public PositionEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The sequence, no longer than the table. */
    private INDArray checkedSequence() {
        INDArray x = checkedInput();
        long max = layerConf().getMaxLength();
        if (x.size(2) > max) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' has positions for sequences of up to "
                    + max + " (maxLength), got length " + x.size(2));
        }
        return x;
    }

    /** The columns P[:, :length]. */
    private INDArray firstPositions(INDArray table, long length) {
        return table.get(NDArrayIndex.all(), NDArrayIndex.interval(0, length));
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedSequence();
        INDArray p = firstPositions(getParam(PositionEmbedding.POSITIONS_KEY), x.size(2));
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        return out.assign(x).addi(p.reshape(1, x.size(1), x.size(2)));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedSequence();
        Gradient gradient = newGradient();
        INDArray dP = Nd4j.zeros(dataType, x.size(1), layerConf().getMaxLength());
        firstPositions(dP, x.size(2)).assign(epsilon.sum(0));
        putGradient(gradient, PositionEmbedding.POSITIONS_KEY, dP);
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape());
        return new Pair<>(gradient, eps.assign(epsilon));
    }
}
