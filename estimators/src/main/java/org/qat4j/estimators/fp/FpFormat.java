package org.qat4j.estimators.fp;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.BitCast;
import org.nd4j.linalg.api.ops.impl.transforms.custom.BitwiseAnd;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Low-bit floating-point formats with exact OCP semantics.
 * <pre>
 *   normal     (e &gt; 0)  (-1)^s 2^(e - bias) (1 + m / 2^M)
 *   subnormal  (e = 0)  (-1)^s 2^(1 - bias) (m / 2^M)
 *
 *   format  bias  max     min normal  min subnormal  specials
 *   E4M3    7     448     2^-6        2^-9           no inf; only S.1111.111 is NaN
 *   E5M2    15    57344   2^-14       2^-16          IEEE inf and NaN
 *   E2M1    1     6       1           0.5            none
 * </pre>
 * Rounding is to nearest, ties to even mantissa; finite values beyond the range saturate to +-max (qat4j rule:
 * finite input never becomes inf or NaN). {@link #encode}/{@link #decode} are the scalar reference;
 * {@link #quantize(INDArray)} is the same rounding on ND4J arrays.
 */
public enum FpFormat {
    E4M3(4, 3, 7, Specials.NAN_ALL_ONES),
    E5M2(5, 2, 15, Specials.IEEE),
    E2M1(2, 1, 1, Specials.NONE);

    /** Which codes are not finite numbers. */
    private enum Specials {
        /** Only S.1...1.1...1 is NaN (OCP E4M3). */
        NAN_ALL_ONES,
        /** Top exponent: mantissa 0 is infinity, others NaN. */
        IEEE,
        /** Every code is a number (OCP E2M1). */
        NONE
    }

    private final int exponentBits;
    private final int mantissaBits;
    private final int bias;
    private final Specials specials;
    private final double[] positive;

    FpFormat(int exponentBits, int mantissaBits, int bias, Specials specials) {
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.bias = bias;
        this.specials = specials;
        int count = 1 << (exponentBits + mantissaBits);
        int finite = 0;
        double[] values = new double[count];
        for (int c = 0; c < count; c++) {
            double v = decodeMagnitude(c);
            if (Double.isFinite(v)) {
                values[finite++] = v;
            }
        }
        this.positive = java.util.Arrays.copyOf(values, finite);
    }

    public int exponentBits() {
        return exponentBits;
    }

    public int mantissaBits() {
        return mantissaBits;
    }

    public int bias() {
        return bias;
    }

    /** Total bits of a code, sign included. */
    public int bits() {
        return 1 + exponentBits + mantissaBits;
    }

    /** Largest finite magnitude. */
    public double max() {
        return positive[positive.length - 1];
    }

    /** Smallest positive normal magnitude, {@code 2^(1 - bias)}. */
    public double minNormal() {
        return Math.scalb(1.0, 1 - bias);
    }

    /** Smallest positive subnormal magnitude, {@code 2^(1 - bias - M)}. */
    public double minSubnormal() {
        return Math.scalb(1.0, 1 - bias - mantissaBits);
    }

    /** Number of finite positive values (codes with sign 0, excluding zero and specials). */
    public int positiveValues() {
        return positive.length - 1;
    }

    private double decodeMagnitude(int code) {
        int e = (code >> mantissaBits) & ((1 << exponentBits) - 1);
        int m = code & ((1 << mantissaBits) - 1);
        int eMax = (1 << exponentBits) - 1;
        if (specials == Specials.NAN_ALL_ONES && e == eMax && m == (1 << mantissaBits) - 1) {
            return Double.NaN;
        }
        if (specials == Specials.IEEE && e == eMax) {
            return m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (e == 0) {
            return Math.scalb((double) m, 1 - bias - mantissaBits);
        }
        return Math.scalb((double) ((1 << mantissaBits) + m), e - bias - mantissaBits);
    }

    /** The value of a code (the low {@link #bits()} bits of {@code code}). */
    public double decode(int code) {
        if (code < 0 || code >= (1 << bits())) {
            throw new IllegalArgumentException("code must be in 0.." + ((1 << bits()) - 1) + " for " + this
                    + " (got " + code + ")");
        }
        double magnitude = decodeMagnitude(code & ((1 << (bits() - 1)) - 1));
        return (code >> (bits() - 1)) == 1 ? -magnitude : magnitude;
    }

    /** The code of the representable value nearest {@code x}: ties to even, saturating at +-max. */
    public int encode(double x) {
        int signBit = 1 << (bits() - 1);
        if (Double.isNaN(x)) {
            if (specials == Specials.NONE) {
                throw new IllegalArgumentException(this + " has no NaN encoding");
            }
            return (1 << (bits() - 1)) - 1;
        }
        int sign = (Double.doubleToRawLongBits(x) < 0) ? signBit : 0;
        double a = Math.abs(x);
        if (a >= max()) {
            return sign | (positive.length - 1);
        }
        int lo = java.util.Arrays.binarySearch(positive, a);
        if (lo >= 0) {
            return sign | lo;
        }
        int hi = -lo - 1;
        lo = hi - 1;
        double mid = (positive[lo] + positive[hi]) / 2.0;
        int code;
        if (a < mid) {
            code = lo;
        } else if (a > mid) {
            code = hi;
        } else {
            code = (lo & 1) == 0 ? lo : hi;
        }
        return sign | code;
    }

    /** {@code decode(encode(x))}: the value the format stores for x. */
    public double round(double x) {
        return decode(encode(x));
    }

    /**
     * Rounds every element to the format (a new array): saturate to +-max, exponent
     * {@code e = max(floor(log2|x|), 1 - bias)}, step {@code 2^(e - M)}, round half to even on the step grid.
     */
    public INDArray quantize(INDArray x) {
        // on signed values: the step ignores the sign bit, and rint's ties-to-even is symmetric about zero
        INDArray q = Transforms.max(Transforms.min(x, max(), true), -max(), false);
        INDArray step = exponentStep(q, bias, mantissaBits);
        Nd4j.exec(new Rint(q.divi(step), q));
        return q.muli(step);
    }

    /**
     * {@code 2^(max(floor(log2 |a|), 1 - bias) - M)} for values {@code a} (FLOAT or DOUBLE). {@code 2^floor(log2 a)}
     * is {@code |a|} with its mantissa bits cleared, which is exact at every power of two and three times cheaper than
     * a logarithm and a power; values below the smallest normal of the array's own type clear to 0 and are lifted to
     * the subnormal step by the max.
     */
    static INDArray exponentStep(INDArray a, double bias, int mantissaBits) {
        DataType type = a.dataType();
        INDArray bits;
        INDArray exponentMask;
        if (type == DataType.DOUBLE) {
            bits = Nd4j.exec(new BitCast(a, DataType.LONG))[0];
            exponentMask = Nd4j.scalar(0x7FF0000000000000L);
        } else if (type == DataType.FLOAT) {
            bits = Nd4j.exec(new BitCast(a, DataType.INT))[0];
            exponentMask = Nd4j.scalar(0x7F800000);
        } else {
            throw new IllegalArgumentException("low-bit float rounding needs FLOAT or DOUBLE values, got " + type);
        }
        Nd4j.exec(new BitwiseAnd(bits, exponentMask, bits)); // clears the sign bit too
        INDArray powerOfTwo = Nd4j.exec(new BitCast(bits, type))[0];
        return Transforms.max(powerOfTwo.muli(Math.scalb(1.0, -mantissaBits)),
                Math.pow(2.0, 1.0 - bias - mantissaBits), false);
    }
}
