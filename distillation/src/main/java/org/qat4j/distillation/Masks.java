package org.qat4j.distillation;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Position masks of the distillation losses: [N] per example, or [N, L] per position of [N, C, L] sequences. */
final class Masks {

    private Masks() {
    }

    /** The mask as an array of the tensor's shape and type (1 where a position counts), or null for no mask. */
    static INDArray expand(INDArray mask, INDArray x) {
        if (mask == null) {
            return null;
        }
        long n = x.size(0);
        INDArray m = mask.castTo(x.dataType());
        if (m.length() == n) {
            long[] shape = new long[x.rank()];
            Arrays.fill(shape, 1);
            shape[0] = n;
            return broadcast(m.reshape(shape), x.shape());
        }
        if (x.rank() == 3 && m.rank() == 2 && m.size(0) == n && m.size(1) == x.size(2)) {
            return broadcast(m.reshape(n, 1, x.size(2)), x.shape());
        }
        throw new IllegalArgumentException("mask of shape " + Arrays.toString(mask.shape())
                + " does not fit activations of shape " + Arrays.toString(x.shape())
                + " (expected [N] or, for [N, C, L] sequences, [N, L])");
    }

    private static INDArray broadcast(INDArray small, long[] shape) {
        return small.broadcast(shape).dup();
    }

    /** One flag per row of a 2-d [N, C] tensor (1 = counts), or null for no mask. */
    static INDArray rows(INDArray mask, INDArray x) {
        if (mask == null) {
            return null;
        }
        if (mask.length() != x.size(0)) {
            throw new IllegalArgumentException("mask of shape " + Arrays.toString(mask.shape())
                    + " does not fit activations of shape " + Arrays.toString(x.shape()) + " (expected [N])");
        }
        return mask.castTo(x.dataType()).reshape(x.size(0), 1);
    }
}
