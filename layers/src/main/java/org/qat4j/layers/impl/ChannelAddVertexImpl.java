package org.qat4j.layers.impl;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.ChannelAddVertex;

/** Implementation of {@link ChannelAddVertex}. */
public class ChannelAddVertexImpl extends BaseGraphVertex {

    private static final int FEATURES = 0;
    private static final int VECTOR = 1;

    public ChannelAddVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalStateException("vertex '" + vertexName + "' has no parameters, so no gradient view");
        }
    }

    /** The inputs checked against each other: x [N, C, H, W] and v [N, C]. */
    private void checkInputs() {
        INDArray x = inputs[FEATURES];
        INDArray v = inputs[VECTOR];
        if (x.rank() != 4 || v.rank() != 2 || v.size(0) != x.size(0) || v.size(1) != x.size(1)) {
            throw new DL4JInvalidInputException("vertex '" + vertexName + "' expects a feature map [N, C, H, W] and"
                    + " a vector [N, C], got " + Arrays.toString(x.shape()) + " and " + Arrays.toString(v.shape()));
        }
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr mgr) {
        checkInputs();
        INDArray x = inputs[FEATURES];
        INDArray v = inputs[VECTOR].castTo(dataType);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape());
        return out.assign(x).addi(v.reshape(v.size(0), v.size(1), 1, 1));
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr mgr) {
        checkInputs();
        INDArray dx = mgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
        INDArray dv;
        try (MemoryWorkspace ignored = mgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            dv = epsilon.sum(2, 3);
        }
        return new Pair<>(null, new INDArray[] {dx, dv});
    }

    /** The output has x's shape, so x's mask describes it. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        return new Pair<>(maskArrays == null ? null : maskArrays[FEATURES], currentMaskState);
    }

    @Override
    public String toString() {
        return "ChannelAddVertexImpl(id=" + vertexIndex + ",name=\"" + vertexName + "\")";
    }
}
