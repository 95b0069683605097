package org.qat4j.framework.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.diffusion.DdpmSampler.Variance;

class DdpmSamplerTest {

    private final NoiseSchedule ddpm = NoiseSchedule.linear();

    @Test
    void visitsEveryTimestepDownToZero() {
        int[] ts = DdpmSampler.builder(NoiseSchedule.linear(4, 0.1, 0.2)).build().timesteps();
        assertArrayEquals(new int[] {3, 2, 1, 0}, ts);
        assertEquals(1000, DdpmSampler.builder(ddpm).build().timesteps().length);
    }

    /**
     * For a single data point the exact predictor's denoised estimate is the point itself at every step, and the
     * last step (t = 0) puts weight sqrt(alphaBar[-1]) beta[0] / (1 - alphaBar[0]) = 1 on it, weight
     * (1 - alphaBar[-1]) = 0 on x_t and adds no noise: the sample is the point whatever noise (beta or posterior
     * variance) came before. What remains is float rounding of the last step, O(1e-7) for values of order 1.
     */
    @ParameterizedTest(name = "{0} variance, clipping {1}")
    @CsvSource({"BETA, false", "POSTERIOR, false", "BETA, true"})
    void returnsTheSingleDataPoint(Variance variance, boolean clip) {
        double[] point = SamplerChecks.image(36, 1);
        INDArray x = DdpmSampler.builder(ddpm).variance(variance).clipDenoised(clip).build()
                .sample(Oracles.pointMass(ddpm, point), 8, new long[] {1, 6, 6}, 5L);
        for (int i = 0; i < 8; i++) {
            assertTrue(SamplerChecks.distance(x, i, point) < 1e-5, "sample " + i + " is "
                    + SamplerChecks.distance(x, i, point) + " from the point");
        }
    }

    @Test
    void samplesBothPointsOfATwoPointDistributionEvenly() {
        double[] a = SamplerChecks.image(16, 2);
        double[] b = SamplerChecks.image(16, 3);
        INDArray x = DdpmSampler.builder(ddpm).build()
                .sample(Oracles.mixture(ddpm, a, b), 200, new long[] {1, 4, 4}, 7L);
        int nearA = 0;
        for (int i = 0; i < 200; i++) {
            double da = SamplerChecks.distance(x, i, a);
            double db = SamplerChecks.distance(x, i, b);
            assertTrue(Math.min(da, db) < 1e-4, "sample " + i + " lands " + Math.min(da, db) + " from a and b");
            nearA += da < db ? 1 : 0;
        }
        // Binomial(200, 1/2): standard deviation 7.1
        assertTrue(Math.abs(nearA - 100) <= 30, nearA + " of 200 samples at a");
    }

    /**
     * For data of independent N(0.3, 0.5^2) pixels every step is linear in x_t, so the sampler's output law follows
     * from a scalar recursion of mean and variance (in double: mean 0.299997, std 0.500752 with the beta variance,
     * 0.496110 with the posterior one; the data's std is 0.5). 200 images of 64 pixels: standard errors 0.0044
     * (mean) and 0.0031 (std). Batches of 16 keep the arrays at 1024 values: ND4J runs larger element-wise ops on
     * several threads, which costs milliseconds per op on a busy machine.
     */
    @ParameterizedTest(name = "{0} variance")
    @CsvSource({"BETA, 0.500752", "POSTERIOR, 0.496110"})
    void samplesGaussianDataWithTheRightMoments(Variance variance, double std) {
        INDArray x = DdpmSampler.builder(ddpm).variance(variance).clipDenoised(false).batchSize(16).build()
                .sample(Oracles.gaussian(ddpm, 0.3, 0.5), 200, new long[] {1, 8, 8}, 13L);
        double[] m = SamplerChecks.moments(x);
        assertEquals(0.3, m[0], 0.015, "mean");
        assertEquals(std, m[1], 0.01, "std");
    }
}
