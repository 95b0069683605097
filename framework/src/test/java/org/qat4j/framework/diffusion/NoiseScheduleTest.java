package org.qat4j.framework.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NoiseScheduleTest {

    private final NoiseSchedule ddpm = NoiseSchedule.linear();

    @Test
    void defaultScheduleHasTheDdpmValues() {
        assertEquals(1000, ddpm.timesteps());
        assertEquals(1e-4, ddpm.beta(0), 1e-18);
        assertEquals(0.02, ddpm.beta(999), 1e-17);
        assertEquals(1e-4 + 0.0199 * 500 / 999, ddpm.beta(500), 1e-17);
        assertEquals(1 - 1e-4, ddpm.alpha(0), 1e-16);
        assertEquals(0.9999, ddpm.alphaBar(0), 1e-16);
        assertEquals(0.9999 * (1 - (1e-4 + 0.0199 / 999)), ddpm.alphaBar(1), 1e-16);
        // numpy: cumprod(1 - linspace(1e-4, 0.02, 1000))[-1]
        assertEquals(4.035829765375676e-5, ddpm.alphaBar(999), 1e-15);
        for (int t = 1; t < 1000; t++) {
            assertTrue(ddpm.beta(t) > ddpm.beta(t - 1), "beta increases at " + t);
            assertTrue(ddpm.alphaBar(t) < ddpm.alphaBar(t - 1), "alphaBar decreases at " + t);
        }
    }

    @Test
    void oneStepScheduleUsesBetaStart() {
        NoiseSchedule one = NoiseSchedule.linear(1, 0.3, 0.5);
        assertEquals(0.3, one.beta(0));
        assertEquals(0.7, one.alphaBar(0), 1e-16);
    }

    @Test
    void refusesBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(0, 1e-4, 0.02));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(10, 0, 0.02));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(10, 1e-4, 1));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(10, Double.NaN, 0.02));
        assertThrows(IllegalArgumentException.class, () -> ddpm.alphaBar(1000));
        assertThrows(IllegalArgumentException.class, () -> ddpm.beta(-1));
        INDArray x0 = Nd4j.zeros(DataType.FLOAT, 2, 1, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> ddpm.noisy(x0, new int[] {1}, x0));
        assertThrows(IllegalArgumentException.class, () -> ddpm.noisy(x0, new int[] {1, 1000}, x0));
        assertThrows(IllegalArgumentException.class,
                () -> ddpm.noisy(x0, new int[] {1, 2}, Nd4j.zeros(DataType.FLOAT, 2, 1, 2, 3)));
        assertThrows(IllegalArgumentException.class,
                () -> ddpm.noisy(Nd4j.zeros(DataType.INT, 2, 1), new int[] {1, 2}, Nd4j.zeros(DataType.INT, 2, 1)));
    }

    @Test
    void noisyFollowsTheFormulaPerSample() {
        int[] t = {0, 1, 499, 999};
        double[] x = gaussians(4 * 2 * 3 * 3, 1);
        double[] e = gaussians(x.length, 2);
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x0 = Nd4j.create(x, new long[] {4, 2, 3, 3}, DataType.DOUBLE).castTo(type);
            INDArray eps = Nd4j.create(e, new long[] {4, 2, 3, 3}, DataType.DOUBLE).castTo(type);
            INDArray xt = ddpm.noisy(x0, t, eps);
            assertEquals(type, xt.dataType());
            double tol = type == DataType.DOUBLE ? 1e-14 : 1e-6;
            for (int[] at : new int[][] {{0, 0, 0, 0}, {1, 1, 2, 1}, {2, 0, 1, 2}, {3, 1, 2, 2}, {3, 0, 0, 0}}) {
                int k = ((at[0] * 2 + at[1]) * 3 + at[2]) * 3 + at[3];
                double ab = ddpm.alphaBar(t[at[0]]);
                assertEquals(Math.sqrt(ab) * x[k] + Math.sqrt(1 - ab) * e[k], xt.getDouble(at[0], at[1], at[2], at[3]),
                        tol, "entry " + k + " in " + type);
            }
        }
    }

    @Test
    void noisyHasTheForwardMarginal() {
        int n = 4000;
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 2 == 0 ? 100 : 800;
        }
        INDArray x0 = Nd4j.valueArrayOf(new long[] {n, 1, 2, 2}, 0.6, DataType.FLOAT);
        INDArray eps = Nd4j.create(gaussians(n * 4, 3), new long[] {n, 1, 2, 2}, DataType.DOUBLE)
                .castTo(DataType.FLOAT);
        INDArray xt = ddpm.noisy(x0, t, eps).reshape(n, 4);
        for (int parity = 0; parity < 2; parity++) {
            double ab = ddpm.alphaBar(t[parity]);
            double sum = 0;
            double sq = 0;
            for (int i = parity; i < n; i += 2) {
                for (int j = 0; j < 4; j++) {
                    double v = xt.getDouble(i, j);
                    sum += v;
                    sq += v * v;
                }
            }
            double mean = sum / (2 * n);
            double std = Math.sqrt(sq / (2 * n) - mean * mean);
            // 8000 values: standard errors about 0.011 sqrt(1 - ab) for the mean, 0.008 sqrt(1 - ab) for the std
            assertEquals(Math.sqrt(ab) * 0.6, mean, 0.05 * Math.sqrt(1 - ab), "mean at t " + t[parity]);
            assertEquals(Math.sqrt(1 - ab), std, 0.04 * Math.sqrt(1 - ab), "std at t " + t[parity]);
        }
    }

    static double[] gaussians(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }
}
