package org.qat4j.layers.sequence.impl;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.qat4j.layers.sequence.FirstTokenPooling;

/** Implementation of {@link FirstTokenPooling}. */
public class FirstTokenPoolingLayer extends SequenceLayerImpl<FirstTokenPooling> {

    public FirstTokenPoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private static INDArray firstPosition(INDArray sequence) {
        return sequence.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0));
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.size(0), x.size(1));
        return out.assign(firstPosition(x));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray x = checkedInput();
        INDArray eps = mgr.create(ArrayType.ACTIVATION_GRAD, dataType, x.shape());
        firstPosition(eps).assign(epsilon);
        return new Pair<>(newGradient(), eps);
    }

    /** The mask ends here: the output [N, H] has one row per example. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
            int minibatchSize) {
        this.maskArray = maskArray;
        this.maskState = currentMaskState;
        return null;
    }
}
