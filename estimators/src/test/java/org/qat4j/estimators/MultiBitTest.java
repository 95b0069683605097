package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.qat4j.estimators.TestArrays.assertClose;
import static org.qat4j.estimators.TestArrays.mat;
import static org.qat4j.estimators.TestArrays.vec;

import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.multibit.DualBinarizer;
import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.estimators.multibit.PartialBinarizer;
import org.qat4j.estimators.multibit.TriLmTernarizer;
import org.qat4j.estimators.multibit.TwnTernarizer;

class MultiBitTest {

    private final Random rnd = new Random(11);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void lmbOrderTwoHandValues() {
        LmbBinarizer lmb = new LmbBinarizer(2, 0);
        INDArray w = mat(new double[][] {{0.5, -1.0, 0.25, -0.25}});
        Map<String, INDArray> p = Params.allocate(lmb, w.shape(), DataType.DOUBLE);
        // s1 = mean|W| = 0.5, R = [0, -0.5, -0.25, 0.25], sign(R) = [1, -1, -1, 1], s2 = mean|R| = 0.25
        assertClose(mat(new double[][] {{0.75, -0.75, 0.25, -0.25}}), lmb.forward(w, p), 1e-12);
        assertClose(vec(0.5), p.get("s1"), 1e-12);
        assertClose(vec(0.25), p.get("s2"), 1e-12);
        assertEquals(1.0, p.get(Params.INITIALISED).getDouble(0));
    }

    /**
     * Surrogate with every sign linearised at the base point (b0 + m0 (R - R0), the STE), residuals recomputed:
     * its numerical derivatives are what the LMB backward must give for W and every s_i.
     */
    @Test
    void lmbGradientsMatchFiniteDifferencesForOrdersOneToThree() {
        for (int order = 1; order <= 3; order++) {
            LmbBinarizer lmb = new LmbBinarizer(order, 0);
            INDArray w0 = TestArrays.random(rnd, 3, 6).muli(0.8);
            INDArray g = TestArrays.random(rnd, 3, 6);
            Map<String, INDArray> p = Params.allocate(lmb, w0.shape(), DataType.DOUBLE);
            lmb.forward(w0, p);
            for (int i = 1; i <= order; i++) {
                p.get(LmbBinarizer.scaleName(i)).muli(1.0 + 0.5 * rnd.nextDouble());
            }
            double[][] s0 = new double[order + 1][];
            for (int i = 1; i <= order; i++) {
                s0[i] = p.get(LmbBinarizer.scaleName(i)).toDoubleVector();
            }
            QuantGradient grad = lmb.backward(w0, p, g);
            final int k = order;
            Function<double[][], Double> loss = sw -> lmbSurrogateLoss(w0, s0, sw, g, k);
            assertClose(TestArrays.gradient(w -> loss.apply(withW(s0, w)), w0, 1e-6), grad.input(), 1e-6);
            for (int j = 1; j <= order; j++) {
                final int jj = j;
                Function<INDArray, Double> lossS = s -> {
                    double[][] sw = withW(s0, w0);
                    sw[jj] = s.toDoubleVector();
                    return loss.apply(sw);
                };
                assertClose(TestArrays.gradient(lossS, vec(s0[j]), 1e-6), grad.param(LmbBinarizer.scaleName(j)), 1e-6);
            }
        }
    }

    /** sw[0] holds W flattened row-major as [C*K]; sw[1..k] the scales. */
    private static double[][] withW(double[][] s, INDArray w) {
        double[][] out = s.clone();
        out[0] = w.ravel().toDoubleVector();
        return out;
    }

    private static double lmbSurrogateLoss(INDArray w0, double[][] s0, double[][] sw, INDArray g, int order) {
        int rows = (int) w0.size(0);
        int cols = (int) w0.size(1);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double base = w0.getDouble(r, c);
                double x = sw[0][r * cols + c];
                double q = 0;
                for (int i = 1; i <= order; i++) {
                    double b0 = base >= 0 ? 1 : -1;
                    double m0 = Math.abs(base) <= 1 ? 1 : 0;
                    double bhat = b0 + m0 * (x - base);
                    q += sw[i][r] * bhat;
                    x -= sw[i][r] * bhat;
                    base -= s0[i][r] * b0;
                }
                total += g.getDouble(r, c) * q;
            }
        }
        return total;
    }

    @Test
    void fdbHandValuesAndGradients() {
        DualBinarizer fdb = new DualBinarizer(0);
        INDArray w = mat(new double[][] {{2, 1, 0, -1, 0.74, 0.4, 1.6, -0.6, -1.3}});
        Map<String, INDArray> p = Params.allocate(fdb, w.shape(), DataType.DOUBLE);
        INDArray q = fdb.forward(w, p);
        // s = max|w| / 2 = 1: a1 = 2, a2 = -1, levels {-1, 0, 1, 2}, thresholds at -0.5, 0.5, 1.5
        assertClose(vec(2), p.get(DualBinarizer.A1), 0);
        assertClose(vec(-1), p.get(DualBinarizer.A2), 0);
        assertClose(mat(new double[][] {{2, 1, 0, -1, 1, 0, 2, -1, -1}}), q, 1e-12);

        INDArray g = TestArrays.random(rnd, 1, 9);
        QuantGradient grad = fdb.backward(w, p, g);
        INDArray b1 = vec(1, 1, 0, 0, 1, 0, 1, 0, 0);
        INDArray b2 = vec(0, 1, 0, 1, 1, 0, 0, 1, 1);
        assertClose(vec(b1.mul(g.ravel()).sumNumber().doubleValue()), grad.param(DualBinarizer.A1), 1e-12);
        assertClose(vec(b2.mul(g.ravel()).sumNumber().doubleValue()), grad.param(DualBinarizer.A2), 1e-12);
        INDArray inside = vec(1, 1, 1, 1, 1, 1, 1, 1, 0);
        assertClose(inside.mul(g.ravel()), grad.input().ravel(), 1e-12);

        // a1, a2 enter the forward linearly for fixed bases: finite differences on the quantizer itself
        INDArray a1 = p.get(DualBinarizer.A1).dup();
        Function<INDArray, Double> loss = a -> {
            p.get(DualBinarizer.A1).assign(a);
            double v = fdb.forward(w, p).muli(g).sumNumber().doubleValue();
            p.get(DualBinarizer.A1).assign(a1);
            return v;
        };
        assertClose(TestArrays.gradient(loss, a1, 1e-6), grad.param(DualBinarizer.A1), 1e-6);
    }

    @Test
    void partialBinarizationKeepsTailsAtEightBits() {
        PartialBinarizer pb = new PartialBinarizer(0.1, 0);
        double[] row = new double[20];
        for (int i = 0; i < 20; i++) {
            row[i] = -1 + 0.1 * i + 0.01 * i * i;
        }
        row[3] = -5;
        row[17] = 7;
        INDArray w = mat(new double[][] {row});
        Map<String, INDArray> p = Params.allocate(pb, w.shape(), DataType.DOUBLE);
        INDArray q = pb.forward(w, p);
        INDArray mask = p.get(PartialBinarizer.MASK);
        assertEquals(2.0, mask.sumNumber().doubleValue());
        assertEquals(1.0, mask.getDouble(0, 3));
        assertEquals(1.0, mask.getDouble(0, 17));
        double step = 12.0 / 255;
        assertEquals(-5, q.getDouble(0, 3), step / 2 + 1e-12);
        assertEquals(7, q.getDouble(0, 17), step / 2 + 1e-12);
        double alpha = 0;
        for (int i = 0; i < 20; i++) {
            if (i != 3 && i != 17) {
                alpha += Math.abs(row[i]) / 18;
            }
        }
        assertEquals(alpha, q.getDouble(0, 0) * Math.signum(row[0]), 1e-12);
        assertEquals(alpha, q.getDouble(0, 19), 1e-12);
        INDArray g = TestArrays.random(rnd, 1, 20);
        assertClose(mask.rsub(1).muli(g), pb.backward(w, p, g).input(), 0);
        // the salient values are frozen: moving the latent weight does not move them
        w.putScalar(0, 3, -4.0);
        assertEquals(q.getDouble(0, 3), pb.forward(w, p).getDouble(0, 3), 0);
    }

    @Test
    void twnHandValues() {
        INDArray w = vec(1, -0.2, 0.5, -1.3);
        // mean|w| = 0.75, Delta = 0.525, kept {1, -1.3}, alpha = 1.15
        assertClose(vec(1.15, 0, 0, -1.15), new TwnTernarizer().forward(w), 1e-12);
        assertClose(vec(2, 3, 4, 0), new TwnTernarizer().backward(w, vec(2, 3, 4, 5)).input(), 0);
    }

    @Test
    void trilmHandValues() {
        INDArray w = vec(0.3, -0.1, 0.05, -0.6);
        double gamma = 1e-5 + 0.2625;
        assertClose(vec(gamma, 0, 0, -gamma), new TriLmTernarizer().forward(w), 1e-12);
        // values past +-1.5 gamma clamp to +-gamma
        assertClose(vec(1, -1, 0, 0).muli(1e-5 + 2.05), new TriLmTernarizer().forward(vec(4, -4, 0.1, -0.1)), 1e-12);
        assertClose(vec(4, 5), new TriLmTernarizer().backward(vec(3, -7), vec(4, 5)).input(), 0);
    }
}
