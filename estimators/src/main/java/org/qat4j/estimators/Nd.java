package org.qat4j.estimators;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Shared ND4J building blocks of the quantizers: sign with sign(0) = +1, masks written as floats, channel axes. */
public final class Nd {

    /** Channel axis value that means "one value for the whole tensor". */
    public static final int PER_TENSOR = -1;

    private Nd() {
    }

    /** {@code sign(x)} with the qat4j rule {@code sign(0) = +1}: binary codes have no zero. */
    public static INDArray sign(INDArray x) {
        return signInPlace(x.dup());
    }

    /**
     * {@link #sign} written over {@code a}; returns {@code a}. For FLOAT and DOUBLE it is {@code 2 * 1{a > -m} - 1}
     * with m the type's smallest subnormal: the only values between -m and 0 are the zeros, so the step is exactly
     * {@code 1{a >= 0}}, and three element-wise passes replace a sign plus a conditional replace that cost four
     * times as much (BENCHMARKS.md). NaN maps to -1.
     */
    public static INDArray signInPlace(INDArray a) {
        DataType t = a.dataType();
        if (t == DataType.FLOAT || t == DataType.DOUBLE) {
            Nd4j.exec(new Step(a, a, t == DataType.DOUBLE ? -Double.MIN_VALUE : -Float.MIN_VALUE));
            return a.muli(2.0).subi(1.0);
        }
        Transforms.sign(a, false);
        BooleanIndexing.replaceWhere(a, 1.0, Conditions.equals(0.0));
        return a;
    }

    /** Turns {@code a} in place into {@code 1{a > c}} (floats, no boolean array). */
    public static INDArray greaterThanInPlace(INDArray a, double c) {
        return Nd4j.exec(new Step(a, a, c));
    }

    /** {@code 1{|x| <= c}} as a new float array of x's type. */
    public static INDArray absAtMost(INDArray x, double c) {
        INDArray m = Transforms.abs(x, true);
        greaterThanInPlace(m, c);
        return m.rsubi(1.0);
    }

    /** {@code 1{lo <= x <= hi}} elementwise, where lo and hi broadcast against x. */
    public static INDArray within(INDArray x, INDArray lo, INDArray hi) {
        INDArray below = lo.sub(x);
        greaterThanInPlace(below, 0.0);
        INDArray above = x.sub(hi);
        greaterThanInPlace(above, 0.0);
        return below.addi(above).rsubi(1.0);
    }

    /** The axes a per-channel reduction runs over: every axis but {@code channelAxis}, or all for {@link #PER_TENSOR}. */
    public static int[] reduceAxes(int rank, int channelAxis) {
        if (channelAxis == PER_TENSOR) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        checkAxis(rank, channelAxis);
        int[] axes = new int[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i != channelAxis) {
                axes[j++] = i;
            }
        }
        return axes;
    }

    /** Shape of a per-channel parameter for an input of this shape: {@code [C]}, or {@code [1]} per tensor. */
    public static long[] channelShape(long[] shape, int channelAxis) {
        if (channelAxis == PER_TENSOR) {
            return new long[] {1};
        }
        checkAxis(shape.length, channelAxis);
        return new long[] {shape[channelAxis]};
    }

    /** A view of a per-channel vector shaped to broadcast against a tensor of the given rank. */
    public static INDArray broadcastable(INDArray perChannel, int rank, int channelAxis) {
        long[] shape = new long[rank];
        java.util.Arrays.fill(shape, 1);
        if (channelAxis != PER_TENSOR) {
            shape[channelAxis] = perChannel.length();
        }
        return perChannel.reshape(shape);
    }

    /** {@code mean|x|} per channel, shaped to broadcast against x. */
    public static INDArray meanAbs(INDArray x, int channelAxis) {
        int[] axes = reduceAxes(x.rank(), channelAxis);
        long n = 1;
        for (int a : axes) {
            n *= x.size(a);
        }
        return x.norm1(true, axes).divi(n);
    }

    /** Sum of {@code x} over every axis but the channel axis, shaped like the per-channel parameter. */
    public static INDArray sumPerChannel(INDArray x, int channelAxis) {
        INDArray s = x.sum(reduceAxes(x.rank(), channelAxis));
        return s.reshape(channelAxis == PER_TENSOR ? new long[] {1} : new long[] {s.length()});
    }

    private static void checkAxis(int rank, int channelAxis) {
        if (channelAxis < 0 || channelAxis >= rank) {
            throw new IllegalArgumentException("channelAxis must be in 0.." + (rank - 1) + " for a rank-" + rank
                    + " tensor, or " + PER_TENSOR + " for one value per tensor (got " + channelAxis + ")");
        }
    }
}
