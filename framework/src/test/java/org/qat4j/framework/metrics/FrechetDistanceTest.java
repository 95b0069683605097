package org.qat4j.framework.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Frechet distance against closed forms, and its statistics. */
class FrechetDistanceTest {

    private static INDArray matrix(double[][] rows) {
        return Nd4j.create(rows).castTo(DataType.DOUBLE);
    }

    private static INDArray vector(double... v) {
        return Nd4j.createFromArray(v);
    }

    /** [n, d] samples of N(0, A A^T) shifted by {@code shift}. */
    private static INDArray samples(Random rng, int n, double[][] a, double[] shift) {
        int d = shift.length;
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            double[] z = new double[d];
            for (int k = 0; k < d; k++) {
                z[k] = rng.nextGaussian();
            }
            for (int r = 0; r < d; r++) {
                x[i][r] = shift[r];
                for (int k = 0; k < d; k++) {
                    x[i][r] += a[r][k] * z[k];
                }
            }
        }
        return matrix(x);
    }

    private static GaussianStats randomStats(Random rng, int d) {
        double[][] a = new double[d][d];
        double[] shift = new double[d];
        for (int r = 0; r < d; r++) {
            shift[r] = rng.nextGaussian();
            for (int k = 0; k < d; k++) {
                a[r][k] = rng.nextGaussian();
            }
        }
        return GaussianStats.of(samples(rng, 3 * d, a, shift));
    }

    /** Tr(sqrt(S1 S2)) for 2x2 PSD S1, S2: sqrt(tr M + 2 sqrt(det M)) with M = S1 S2 (eigenvalues of M are >= 0). */
    private static double closedForm2x2(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
        double tr = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det = (s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0]) * (s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0]);
        double traceRoot = Math.sqrt(tr + 2 * Math.sqrt(det));
        double dm = (mu1[0] - mu2[0]) * (mu1[0] - mu2[0]) + (mu1[1] - mu2[1]) * (mu1[1] - mu2[1]);
        return dm + s1[0][0] + s1[1][1] + s2[0][0] + s2[1][1] - 2 * traceRoot;
    }

    @Test
    void statsAreTheMeanAndTheUnbiasedCovariance() {
        GaussianStats s = GaussianStats.of(Nd4j.create(new float[][] {{1, 2}, {3, 0}, {5, 4}}));
        assertEquals(DataType.DOUBLE, s.mean().dataType());
        assertArrayEquals(new double[] {3, 2}, s.mean().toDoubleVector(), 1e-12);
        // deviations (-2, 0), (0, -2), (2, 2); divided by n - 1 = 2
        assertArrayEquals(new double[] {4, 2}, s.cov().getRow(0).toDoubleVector(), 1e-12);
        assertArrayEquals(new double[] {2, 4}, s.cov().getRow(1).toDoubleVector(), 1e-12);
    }

    @Test
    void identicalGaussiansAreAtDistanceZero() {
        Random rng = new Random(1);
        for (int d : new int[] {1, 5, 40}) {
            GaussianStats s = randomStats(rng, d);
            assertEquals(0, FrechetDistance.between(s, s), 1e-9, "d = " + d);
        }
    }

    @Test
    void diagonalCovariancesGiveTheSumOverCoordinates() {
        double[] a = {0.5, 2, 3, 0};
        double[] b = {1, 0.25, 3, 4};
        double[] mu1 = {0, 1, -2, 5};
        double[] mu2 = {1, 1, 0, 4.5};
        double expected = 0;
        for (int i = 0; i < a.length; i++) {
            expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + a[i] + b[i] - 2 * Math.sqrt(a[i] * b[i]);
        }
        double fd = FrechetDistance.between(new GaussianStats(vector(mu1), Nd4j.diag(vector(a))),
                new GaussianStats(vector(mu2), Nd4j.diag(vector(b))));
        assertEquals(expected, fd, 1e-9);
    }

    @Test
    void nonCommutingCovariancesMatchTheTwoByTwoClosedForm() {
        double[][][] cases = {
            {{2, 1}, {1, 2}, {3, 0}, {0, 1}},
            {{1, -0.7}, {-0.7, 0.6}, {0.2, 0.1}, {0.1, 5}},
            // rank-deficient S1: an eigenvalue of 0 that rounding may push below zero
            {{1, 1}, {1, 1}, {2, 0}, {0, 1}},
        };
        double[] mu1 = {0.3, -1};
        double[] mu2 = {1, 0.5};
        for (double[][] c : cases) {
            double[][] s1 = {c[0], c[1]};
            double[][] s2 = {c[2], c[3]};
            double fd = FrechetDistance.between(new GaussianStats(vector(mu1), matrix(s1)),
                    new GaussianStats(vector(mu2), matrix(s2)));
            assertEquals(closedForm2x2(mu1, s1, mu2, s2), fd, 1e-9);
        }
    }

    @Test
    void theDistanceIsSymmetric() {
        Random rng = new Random(2);
        for (int i = 0; i < 5; i++) {
            GaussianStats a = randomStats(rng, 8);
            GaussianStats b = randomStats(rng, 8);
            double ab = FrechetDistance.between(a, b);
            assertTrue(ab > 1, "distinct random Gaussians: " + ab);
            assertEquals(ab, FrechetDistance.between(b, a), 1e-9 * ab);
        }
    }

    @Test
    void samplesOfTwoKnownGaussiansGiveTheAnalyticDistance() {
        double[][] s1 = {{2, 1}, {1, 2}};
        double[][] s2 = {{3, 0}, {0, 1}};
        double[] mu1 = {0, 0};
        double[] mu2 = {1, -0.5};
        double analytic = closedForm2x2(mu1, s1, mu2, s2);
        // Cholesky factors: S = A A^T
        double[][] a1 = {{Math.sqrt(2), 0}, {1 / Math.sqrt(2), Math.sqrt(1.5)}};
        double[][] a2 = {{Math.sqrt(3), 0}, {0, 1}};
        Random rng = new Random(3);
        INDArray x1 = samples(rng, 100_000, a1, mu1);
        INDArray x2 = samples(rng, 100_000, a2, mu2);
        double fd = FrechetDistance.between(x1, x2);
        assertEquals(analytic, fd, 0.03 * analytic, "analytic " + analytic);
        assertEquals(fd, FrechetDistance.between(GaussianStats.of(x1), GaussianStats.of(x2)), 1e-12);
        assertEquals(fd, FrechetDistance.between(x1.castTo(DataType.FLOAT), x2.castTo(DataType.FLOAT)), 1e-4);
    }

    @Test
    void badInputIsRefusedWithOneClearLine() {
        INDArray two = Nd4j.rand(DataType.DOUBLE, 10, 2);
        INDArray three = Nd4j.rand(DataType.DOUBLE, 10, 3);
        for (var c : List.<Object[]>of(
                new Object[] {Nd4j.rand(DataType.DOUBLE, 1, 2), two, "at least 2 samples, got 1"},
                new Object[] {two, three, "feature widths differ (2 vs 3)"},
                new Object[] {two, two.dup().putScalar(4, 1, Double.NaN), "non-finite"},
                new Object[] {two, two.dup().putScalar(0, 0, Double.POSITIVE_INFINITY), "non-finite"},
                new Object[] {Nd4j.rand(DataType.DOUBLE, 10), two, "expected a matrix [n, d]"})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FrechetDistance.between((INDArray) c[0], (INDArray) c[1]));
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
        GaussianStats s2 = GaussianStats.of(two);
        GaussianStats s3 = GaussianStats.of(three);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(s2, s3));
        assertTrue(e.getMessage().contains("feature widths differ (2 vs 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new GaussianStats(vector(0, 0), matrix(new double[][] {{1, 0, 0}, {0, 1, 0}})));
        assertTrue(e.getMessage().contains("a mean [d] and a covariance [d, d]"), e.getMessage());
    }
}
