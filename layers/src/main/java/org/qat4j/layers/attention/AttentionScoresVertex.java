package org.qat4j.layers.attention;

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
 * Implementation of {@link AttentionScores}. The backward pass quantizes q and k again instead of keeping them from
 * the forward pass: the inputs are held by the graph until then anyway, and a quantization is an element-wise pass,
 * cheap next to the score product.
 */
public class AttentionScoresVertex extends MultiHeadVertexImpl<AttentionScores> {

    private static final int QUERIES = 0;
    private static final int KEYS = 1;

    public AttentionScoresVertex(ComputationGraph graph, String name, int vertexIndex, AttentionScores conf,
            DataType dataType) {
        super(graph, name, vertexIndex, conf, dataType);
    }

    private INDArray queries() {
        INDArray q = sequenceInput(QUERIES, "queries");
        if (!q.equalShapes(inputs[KEYS])) {
            throw new DL4JInvalidInputException("vertex '" + vertexName + "': queries " + q.shapeInfoToString()
                    + " and keys " + inputs[KEYS].shapeInfoToString() + " must have the same shape");
        }
        return q;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray q = queries();
        INDArray k = sequenceInput(KEYS, "keys");
        INDArray qh = splitHeads(quantize(conf.getQueryQuantizer(), q));
        INDArray kh = splitHeads(quantize(conf.getKeyQuantizer(), k));
        long n = q.size(0);
        long length = q.size(2);
        INDArray scores = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, n, conf.getHeads(), length,
                length);
        Nd4j.matmul(qh, kh, scores, true, false, false);
        scores.divi(Math.sqrt(qh.size(2)));
        INDArray mask = paddingMask(q, KEYS, QUERIES);
        if (mask != null) {
            scores.addi(mask.rsub(1.0).muli(AttentionScores.MASK_SCORE).reshape(n, 1, 1, length));
        }
        return scores;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr mgr) {
        INDArray q = queries();
        INDArray k = sequenceInput(KEYS, "keys");
        INDArray qh = splitHeads(quantize(conf.getQueryQuantizer(), q));
        INDArray kh = splitHeads(quantize(conf.getKeyQuantizer(), k));
        INDArray g = epsilon.castTo(dataType).div(Math.sqrt(qh.size(2)));
        INDArray dq = quantizeBackward(conf.getQueryQuantizer(), q, mergeHeads(Nd4j.matmul(kh, g, false, true,
                false)));
        INDArray dk = quantizeBackward(conf.getKeyQuantizer(), k, mergeHeads(Nd4j.matmul(qh, g, false, false,
                false)));
        return new Pair<>(null, new INDArray[] {mgr.leverageTo(ArrayType.ACTIVATION_GRAD, dq),
            mgr.leverageTo(ArrayType.ACTIVATION_GRAD, dk)});
    }

    /** The padding is in the scores' values (see {@link AttentionScores}). */
    @Override
    protected INDArray outputMask() {
        return null;
    }
}
