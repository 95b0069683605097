package org.qat4j.layers.sequence.impl;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.sequence.Sequences;
import org.qat4j.layers.sequence.TokenEmbedding;

/**
 * Implementation of {@link TokenEmbedding}: a row gather forward, a scatter-add backward. The backward returns no
 * input gradient: token ids are not differentiable, and nothing precedes the embedding.
 */
public class TokenEmbeddingLayer extends QuantizedLayerImpl<TokenEmbedding> {

    public TokenEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    /** The ids as [N, L]. */
    private INDArray idMatrix() {
        assertInputSet(false);
        if (input.rank() != 2 && !(input.rank() == 3 && input.size(1) == 1)) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects token ids [minibatch, length] or "
                    + "[minibatch, 1, length], got " + Arrays.toString(input.shape()));
        }
        return input.rank() == 3 ? input.reshape(input.size(0), input.size(2)) : input;
    }

    /** The ids in the order of the position rows (n L + l), each checked against the vocabulary. */
    private int[] ids(INDArray idMatrix) {
        long vocabulary = layerConf().vocabularySize();
        long length = idMatrix.size(1);
        double[] values = idMatrix.ravel().toDoubleVector();
        int[] ids = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!(v >= 0 && v < vocabulary && v == Math.rint(v))) {
                throw new DL4JInvalidInputException("layer '" + layerId() + "': token id " + v + " at [" + i / length
                        + ", " + i % length + "] is not an id of the vocabulary 0.." + (vocabulary - 1));
            }
            ids[i] = (int) v;
        }
        return ids;
    }

    /** The padding mask, [N, L] like the ids, or null. */
    private INDArray checkedMask(INDArray idMatrix) {
        if (maskArray != null && !Arrays.equals(maskArray.shape(), idMatrix.shape())) {
            throw new DL4JInvalidInputException("layer '" + layerId() + "' expects a padding mask shaped like the ids "
                    + Arrays.toString(idMatrix.shape()) + ", got " + Arrays.toString(maskArray.shape()));
        }
        return maskArray;
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        INDArray idMatrix = idMatrix();
        int[] ids = ids(idMatrix);
        INDArray mask = checkedMask(idMatrix);
        TokenEmbedding c = layerConf();
        INDArray wq = quantize(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX,
                getParam(QuantizedLayer.WEIGHT_KEY));
        long n = idMatrix.size(0);
        long length = idMatrix.size(1);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, n, c.getNOut(), length);
        out.assign(Sequences.fromPositionRows(Nd4j.pullRows(wq, 1, ids), n, length));
        if (c.isHasBias()) {
            out.addi(Sequences.perChannel(getParam(QuantizedLayer.BIAS_KEY), out));
        }
        return mask == null ? out : out.muli(Sequences.broadcastMask(mask, out));
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray idMatrix = idMatrix();
        int[] ids = ids(idMatrix);
        INDArray mask = checkedMask(idMatrix);
        TokenEmbedding c = layerConf();
        INDArray g = mask == null ? epsilon : epsilon.mul(Sequences.broadcastMask(mask, epsilon));
        INDArray gRows = Sequences.positionRows(g);
        INDArray w = getParam(QuantizedLayer.WEIGHT_KEY);
        INDArray dWq = Nd4j.zeros(dataType, w.shape());
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, dWq, Nd4j.createFromArray(ids), gRows, 1);
        Gradient gradient = newGradient();
        putGradient(gradient, QuantizedLayer.WEIGHT_KEY,
                quantizeBackward(c.getWeightQuantizer(), QuantizedLayer.WEIGHT_QUANT_PREFIX, w, dWq, gradient));
        if (c.isHasBias()) {
            putGradient(gradient, QuantizedLayer.BIAS_KEY, gRows.sum(0));
        }
        return new Pair<>(gradient, null);
    }
}
