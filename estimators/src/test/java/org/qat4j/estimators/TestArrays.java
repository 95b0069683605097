package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test helpers: arrays from literals, random points away from kinks, central finite differences. */
public final class TestArrays {

    private TestArrays() {
    }

    public static INDArray vec(double... v) {
        return Nd4j.createFromArray(v);
    }

    public static INDArray mat(double[][] v) {
        return Nd4j.createFromArray(v);
    }

    /** Uniform points in (lo, hi) at least {@code margin} away from every kink. */
    public static INDArray points(Random rnd, int n, double lo, double hi, double margin, double... kinks) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double x;
            boolean ok;
            do {
                x = lo + (hi - lo) * rnd.nextDouble();
                ok = true;
                for (double k : kinks) {
                    ok &= Math.abs(x - k) > margin;
                }
            } while (!ok);
            out[i] = x;
        }
        return Nd4j.createFromArray(out);
    }

    public static INDArray random(Random rnd, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, rnd.nextGaussian());
        }
        return a;
    }

    /** Elementwise central difference of an elementwise function f at every point of x. */
    public static INDArray derivative(Function<INDArray, INDArray> f, INDArray x, double h) {
        return f.apply(x.add(h)).subi(f.apply(x.sub(h))).divi(2 * h);
    }

    /** Central difference of a scalar function of one array with respect to each of its elements. */
    public static INDArray gradient(Function<INDArray, Double> loss, INDArray at, double h) {
        INDArray g = at.ulike();
        for (long i = 0; i < at.length(); i++) {
            INDArray plus = at.dup();
            plus.putScalar(i, at.getDouble(i) + h);
            INDArray minus = at.dup();
            minus.putScalar(i, at.getDouble(i) - h);
            g.putScalar(i, (loss.apply(plus) - loss.apply(minus)) / (2 * h));
        }
        return g;
    }

    public static void assertClose(INDArray expected, INDArray actual, double tol) {
        assertEquals(expected.length(), actual.length(), "length");
        for (long i = 0; i < expected.length(); i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            assertEquals(e, a, tol * Math.max(1.0, Math.abs(e)), "element " + i + " of " + actual);
        }
    }
}
