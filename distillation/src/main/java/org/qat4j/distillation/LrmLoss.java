package org.qat4j.distillation;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.qat4j.estimators.BeanConfig;
import org.qat4j.estimators.ParamSpec;

/**
 * Low-rank representation mimicking (BinaryDM): the student's block output is matched to the teacher's in the
 * subspace of the teacher's top principal directions.
 * <pre>
 *   X = features reshaped to rows of C channels ([N, C, ...] -&gt; [M, C]; qat4j rule: over the channel axis)
 *   K = top-q eigenvectors of the covariance of the centred teacher rows X_T, q = max(2, C/4) unless set;
 *       computed once, on the first batch, and kept (detached) in the layer's state
 *   L = mean (X_S K - X_T K)^2 = ||(X_S - X_T) K||^2 / (M q),    dL/dX_S = 2 (X_S - X_T) K K^T / (M q)
 * </pre>
 * BinaryDM weights this term 1e-4 against the task loss. Masked rows count in neither K nor L.
 */
public class LrmLoss extends BeanConfig implements DistillationLoss {

    public static final String INITIALISED = "initialised";
    public static final String DIRECTIONS = "directions";

    private int rank;

    public LrmLoss() {
    }

    /** {@code rank} principal directions; 0 for the paper's max(2, C/4). */
    public LrmLoss(int rank) {
        setRank(rank);
    }

    public int getRank() {
        return rank;
    }

    public void setRank(int rank) {
        if (rank < 0) {
            throw new IllegalArgumentException("LRM rank must be >= 0 (0 = max(2, C/4)); got " + rank);
        }
        this.rank = rank;
    }

    /** The number of directions kept for C channels. */
    public long rank(long channels) {
        return Math.min(channels, rank > 0 ? rank : Math.max(2, channels / 4));
    }

    @Override
    public List<ParamSpec> stateSpecs(long channels) {
        return List.of(ParamSpec.state(INITIALISED, new long[] {1}, 0),
                ParamSpec.state(DIRECTIONS, new long[] {channels, rank(channels)}, 0));
    }

    @Override
    public Value evaluate(INDArray student, INDArray teacher, INDArray mask, Map<String, INDArray> state) {
        INDArray k = state.get(DIRECTIONS);
        INDArray flag = state.get(INITIALISED);
        if (k == null || flag == null) {
            throw new IllegalArgumentException("LRM keeps its principal directions in layer state; none was given");
        }
        INDArray xs = rows(student);
        INDArray xt = rows(teacher.castTo(student.dataType()));
        INDArray keep = Masks.expand(mask, student);
        INDArray keepRows = keep == null ? null : rows(keep).getColumn(0, true);
        if (xs.size(1) != k.size(0)) {
            throw new IllegalArgumentException("LRM state holds directions for " + k.size(0) + " channels, the tap has "
                    + xs.size(1));
        }
        double m = keepRows == null ? xs.size(0) : keepRows.sumNumber().doubleValue();
        if (m == 0) {
            return new Value(0, student.ulike().assign(0));
        }
        if (flag.getDouble(0) == 0) {
            k.assign(principalDirections(keepRows == null ? xt : kept(xt, keepRows), k.size(1)));
            flag.assign(1);
        }
        INDArray kk = k.castTo(student.dataType());
        INDArray d = xs.sub(xt);
        if (keepRows != null) {
            d.muliColumnVector(keepRows);
        }
        INDArray p = d.mmul(kk);
        double norm = m * kk.size(1);
        double loss = p.mul(p).sumNumber().doubleValue() / norm;
        INDArray gradRows = p.mmul(kk.transpose()).muli(2 / norm);
        return new Value(loss, unrows(gradRows, student.shape()));
    }

    /** Top-q eigenvectors (columns, largest eigenvalue first) of the covariance of the centred rows, in DOUBLE. */
    static INDArray principalDirections(INDArray x, long q) {
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray centred = xd.subRowVector(xd.mean(0));
        INDArray cov = centred.transpose().mmul(centred).divi(Math.max(1, xd.size(0) - 1));
        INDArray vectors = cov.dup('f');
        Eigen.symmetricGeneralizedEigenvalues(vectors, true);
        long c = vectors.size(1);
        INDArray top = vectors.get(NDArrayIndex.all(), NDArrayIndex.interval(c - q, c)).dup('c');
        INDArray out = top.ulike();
        for (int j = 0; j < q; j++) {
            out.putColumn(j, top.getColumn(q - 1 - j));
        }
        return out;
    }

    private static INDArray kept(INDArray x, INDArray keepRows) {
        return x.getRows(IntStream.range(0, (int) keepRows.length()).filter(i -> keepRows.getDouble(i) != 0).toArray());
    }

    /** [N, C, ...] as rows of C channels: [N * ..., C]. */
    static INDArray rows(INDArray x) {
        return switch (x.rank()) {
            case 2 -> x;
            case 3 -> x.permute(0, 2, 1).dup('c').reshape(x.size(0) * x.size(2), x.size(1));
            case 4 -> x.permute(0, 2, 3, 1).dup('c').reshape(x.size(0) * x.size(2) * x.size(3), x.size(1));
            default -> throw new IllegalArgumentException("LRM takes [N, C], [N, C, L] or [N, C, H, W] activations, "
                    + "got rank " + x.rank());
        };
    }

    /** Inverse of {@link #rows}. */
    static INDArray unrows(INDArray r, long[] shape) {
        return switch (shape.length) {
            case 2 -> r;
            case 3 -> r.reshape(shape[0], shape[2], shape[1]).permute(0, 2, 1).dup('c');
            default -> r.reshape(shape[0], shape[2], shape[3], shape[1]).permute(0, 3, 1, 2).dup('c');
        };
    }
}
