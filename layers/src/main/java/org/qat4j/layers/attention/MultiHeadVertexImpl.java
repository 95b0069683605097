package org.qat4j.layers.attention;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Quantizer;

/**
 * Shared machinery of the attention vertex implementations: the padding mask, quantizers with their schedules, and
 * the split of [N, D, L] sequences into heads.
 *
 * <p>The padding mask [N, L] arrives through {@link #feedForwardMaskArrays}, which ComputationGraph calls only when
 * the network has feature masks; a later run without masks clears the graph's input masks but calls nothing here.
 * So a mask kept from an earlier call counts only while the graph has input masks.
 */
public abstract class MultiHeadVertexImpl<C extends MultiHeadVertex> extends BaseGraphVertex {

    protected final C conf;
    private INDArray[] masks;

    protected MultiHeadVertexImpl(ComputationGraph graph, String name, int vertexIndex, C conf, DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
        this.conf = conf;
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

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        this.masks = maskArrays;
        return new Pair<>(outputMask(), currentMaskState);
    }

    /** The mask this vertex's output carries, from {@link #inputMask}. */
    protected abstract INDArray outputMask();

    /** The first mask present among the given inputs, as received; null if none. */
    protected INDArray inputMask(int... inputOrder) {
        if (masks == null || graph.getInputMaskArrays() == null) {
            return null;
        }
        for (int i : inputOrder) {
            if (i < masks.length && masks[i] != null) {
                return masks[i];
            }
        }
        return null;
    }

    /** {@link #inputMask} checked against a sequence [N, D, L] and cast to the network's type; null if none. */
    protected INDArray paddingMask(INDArray sequence, int... inputOrder) {
        INDArray m = inputMask(inputOrder);
        if (m == null) {
            return null;
        }
        if (m.rank() != 2 || m.size(0) != sequence.size(0) || m.size(1) != sequence.size(2)) {
            throw new DL4JInvalidInputException("vertex '" + vertexName + "': padding mask of shape "
                    + Arrays.toString(m.shape()) + " does not fit sequences of shape "
                    + Arrays.toString(sequence.shape()) + " (expected [N, L])");
        }
        return m.castTo(dataType);
    }

    /** Input {@code i} in the network's type, checked to be [N, D, L] with D a multiple of the heads. */
    protected INDArray sequenceInput(int i, String what) {
        INDArray x = inputs[i];
        if (x.rank() != 3 || x.size(1) % conf.getHeads() != 0) {
            throw new DL4JInvalidInputException("vertex '" + vertexName + "': " + what + " must be [N, D, L] with D a"
                    + " multiple of " + conf.getHeads() + " heads, got " + Arrays.toString(x.shape()));
        }
        return x.castTo(dataType);
    }

    /** {@code Q(x)}, or x for full precision; the quantizer's schedules are evaluated first, as in the layers. */
    protected INDArray quantize(Quantizer q, INDArray x) {
        if (q == null) {
            return x;
        }
        q.onProgress(graph.getEpochCount(), graph.getIterationCount());
        return q.forward(x);
    }

    /** {@code dL/dx} from {@code dL/dQ(x)} through the quantizer's backward (identity for full precision). */
    protected static INDArray quantizeBackward(Quantizer q, INDArray x, INDArray gradOut) {
        return q == null ? gradOut : q.backward(x, gradOut).input();
    }

    /** [N, D, L] seen as [N, H, d, L]: head h is channels h*d .. h*d+d-1 (as in DmdLoss). */
    protected INDArray splitHeads(INDArray x) {
        return x.reshape('c', x.size(0), conf.getHeads(), x.size(1) / conf.getHeads(), x.size(2));
    }

    /** [N, H, d, L] back to [N, D, L]. */
    protected static INDArray mergeHeads(INDArray xh) {
        return xh.reshape('c', xh.size(0), xh.size(1) * xh.size(2), xh.size(3));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(id=" + vertexIndex + ",name=\"" + vertexName + "\"," + conf + ")";
    }
}
