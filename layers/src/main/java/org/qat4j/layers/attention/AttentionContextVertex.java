package org.qat4j.layers.attention;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Implementation of {@link AttentionContext}. The backward pass makes P and quantizes v again instead of keeping
 * them from the forward pass: both are element-wise or row-wise passes, cheap next to the two products, and the
 * graph holds the inputs until then anyway.
 */
public class AttentionContextVertex extends MultiHeadVertexImpl<AttentionContext> {

    private static final int SCORES = 0;
    private static final int VALUES = 1;

    public AttentionContextVertex(ComputationGraph graph, String name, int vertexIndex, AttentionContext conf,
            DataType dataType) {
        super(graph, name, vertexIndex, conf, dataType);
    }

    /** The scores, checked against the values [N, D, L]: [N, H, L, L]. */
    private INDArray scores(INDArray v) {
        INDArray a = inputs[SCORES];
        long length = v.size(2);
        if (!Arrays.equals(a.shape(), new long[] {v.size(0), conf.getHeads(), length, length})) {
            throw new DL4JInvalidInputException("vertex '" + vertexName + "': scores must be [N, H, L, L] = "
                    + Arrays.toString(new long[] {v.size(0), conf.getHeads(), length, length}) + " for values "
                    + Arrays.toString(v.shape()) + ", got " + Arrays.toString(a.shape()));
        }
        return a.castTo(dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray v = sequenceInput(VALUES, "values");
        INDArray p = conf.getFunction().probabilities(scores(v), conf.getBeta());
        INDArray vh = splitHeads(quantize(conf.getValueQuantizer(), v));
        INDArray context = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, v.shape(), 'c');
        // a c-order array's head split is a view, so the product lands in the output directly
        Nd4j.matmul(vh, p, splitHeads(context), false, true, false);
        return context;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr mgr) {
        INDArray v = sequenceInput(VALUES, "values");
        INDArray a = scores(v);
        AttentionFunction f = conf.getFunction();
        INDArray p = f.probabilities(a, conf.getBeta());
        INDArray vh = splitHeads(quantize(conf.getValueQuantizer(), v));
        INDArray gh = splitHeads(epsilon.castTo(dataType));
        INDArray dv = quantizeBackward(conf.getValueQuantizer(), v, mergeHeads(Nd4j.matmul(gh, p)));
        INDArray da = f.scoresGradient(a, p, Nd4j.matmul(gh, vh, true, false, false), conf.getBeta());
        return new Pair<>(null, new INDArray[] {mgr.leverageTo(ArrayType.ACTIVATION_GRAD, da),
            mgr.leverageTo(ArrayType.ACTIVATION_GRAD, dv)});
    }

    @Override
    protected INDArray outputMask() {
        return inputMask(VALUES, SCORES);
    }
}
