package org.qat4j.layers.sequence;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.layers.Layers;

/**
 * The layout of sequence activations in qat4j: DL4J's recurrent NCW layout [N, C, L] (C channels at L positions)
 * with the padding mask [N, L] (1 = token, 0 = padding) that DL4J carries from layer to layer as the features mask.
 * Layers working per position see the positions as the rows of an [N L, C] matrix.
 */
public final class Sequences {

    private Sequences() {
    }

    /** The recurrent input type, which must be NCW; any other type or layout is a configuration error of the layer. */
    public static InputType.InputTypeRecurrent recurrent(Layer layer, InputType type) {
        if (!(type instanceof InputType.InputTypeRecurrent r)) {
            throw Layers.invalid(layer, "expects recurrent input [N, C, L], got " + type);
        }
        if (r.getFormat() != RNNFormat.NCW) {
            throw Layers.invalid(layer, "expects the NCW layout [N, C, L] of qat4j's sequence layers, got " + type);
        }
        return r;
    }

    /** [N, C, L] as the [N L, C] matrix of its positions, row n L + l (a c-ordered copy). */
    public static INDArray positionRows(INDArray x) {
        return x.permute(0, 2, 1).dup('c').reshape('c', x.size(0) * x.size(2), x.size(1));
    }

    /** The [N, C, L] view of a c-ordered [N L, C] matrix of positions: the inverse of {@link #positionRows}. */
    public static INDArray fromPositionRows(INDArray rows, long n, long length) {
        return rows.reshape('c', n, length, rows.size(1)).permute(0, 2, 1);
    }

    /** A [C] parameter shaped to broadcast along axis 1 of a rank-2 or rank-3 array. */
    public static INDArray perChannel(INDArray param, INDArray like) {
        return like.rank() == 3 ? param.reshape(1, param.length(), 1) : param.reshape(1, param.length());
    }

    /** The sum over every axis but the channel axis 1: the gradient of a per-channel parameter. */
    public static INDArray sumPerChannel(INDArray g) {
        return g.rank() == 3 ? g.sum(0, 2) : g.sum(0);
    }

    /** The [N, L] padding mask shaped [N, 1, L] to broadcast against [N, C, L], in the data type of like. */
    public static INDArray broadcastMask(INDArray mask, INDArray like) {
        return mask.castTo(like.dataType()).reshape(mask.size(0), 1, mask.size(1));
    }
}
