package org.qat4j.framework.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.diffusion.DdpmSampler.Variance;

class DdimSamplerTest {

    private final NoiseSchedule ddpm = NoiseSchedule.linear();

    @Test
    void spacesTheTimestepsEvenly() {
        int[] fifty = DdimSampler.builder(ddpm).steps(50).build().timesteps();
        assertEquals(50, fifty.length);
        for (int i = 0; i < 50; i++) {
            assertEquals(980 - 20 * i, fifty[i]);
        }
        assertArrayEquals(new int[] {6, 3, 0}, DdimSampler.builder(NoiseSchedule.linear(10, 0.1, 0.2)).steps(3)
                .build().timesteps());
        assertArrayEquals(DdpmSampler.builder(ddpm).build().timesteps(),
                DdimSampler.builder(ddpm).steps(1000).build().timesteps());
    }

    @Test
    void refusesBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> DdimSampler.builder(ddpm).steps(0));
        assertThrows(IllegalArgumentException.class, () -> DdimSampler.builder(ddpm).steps(1001));
        assertThrows(IllegalArgumentException.class, () -> DdimSampler.builder(ddpm).eta(-0.1));
        assertThrows(IllegalArgumentException.class, () -> DdimSampler.builder(ddpm).eta(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> DdimSampler.builder(NoiseSchedule.linear(20, 0.01, 0.2))
                .build());
    }

    /** The last step goes to alphaBar = 1 and keeps only the denoised estimate, the point; float rounding remains. */
    @ParameterizedTest(name = "eta {0}, clipping {1}")
    @CsvSource({"0, false", "0.5, false", "0, true"})
    void returnsTheSingleDataPoint(double eta, boolean clip) {
        double[] point = SamplerChecks.image(36, 1);
        INDArray x = DdimSampler.builder(ddpm).steps(50).eta(eta).clipDenoised(clip).build()
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
        INDArray x = DdimSampler.builder(ddpm).steps(50).build()
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
     * Gaussian data N(0.3, 0.5^2) per pixel: the update is linear in x_t, and the scalar recursion of mean and
     * variance (double) gives 50 deterministic steps mean 0.298911, std 0.472439 (the coarse steps narrow the law;
     * at s = 1 they would not), and eta = 1 std 0.444123. Standard errors 0.0044 (mean) and 0.0031 (std). Batches
     * of 16 keep the arrays at 1024 values: ND4J runs larger element-wise ops on several threads, which costs
     * milliseconds per op on a busy machine.
     */
    @ParameterizedTest(name = "eta {0}")
    @CsvSource({"0, 0.298911, 0.472439", "1, 0.299996, 0.444123"})
    void samplesGaussianDataWithThePredictedMoments(double eta, double mean, double std) {
        INDArray x = DdimSampler.builder(ddpm).steps(50).eta(eta).clipDenoised(false).batchSize(16).build()
                .sample(Oracles.gaussian(ddpm, 0.3, 0.5), 200, new long[] {1, 8, 8}, 13L);
        double[] m = SamplerChecks.moments(x);
        assertEquals(mean, m[0], 0.015, "mean");
        assertEquals(std, m[1], 0.01, "std");
    }

    /**
     * With eta = 1 on all T steps, sigma^2 is the posterior variance and the DDIM update is the DDPM posterior mean
     * rewritten; both draw noise at the same steps from the same streams, so the samples agree to float rounding.
     * The two points lie partly outside [-1, 1] (values up to 1.44), so that clipping acts at every step.
     */
    @ParameterizedTest(name = "clipping {0}")
    @CsvSource({"false", "true"})
    void fullLengthEtaOneIsDdpmWithThePosteriorVariance(boolean clip) {
        double[] a = Arrays.stream(SamplerChecks.image(16, 2)).map(v -> 1.6 * v).toArray();
        double[] b = Arrays.stream(SamplerChecks.image(16, 3)).map(v -> 1.6 * v).toArray();
        EpsilonModel model = Oracles.mixture(ddpm, a, b);
        INDArray ddim = DdimSampler.builder(ddpm).steps(1000).eta(1).clipDenoised(clip).build()
                .sample(model, 16, new long[] {1, 4, 4}, 21L);
        INDArray ancestral = DdpmSampler.builder(ddpm).variance(Variance.POSTERIOR).clipDenoised(clip).build()
                .sample(model, 16, new long[] {1, 4, 4}, 21L);
        double worst = ddim.sub(ancestral).amaxNumber().doubleValue();
        assertTrue(worst < 1e-4, "DDIM and DDPM differ by " + worst);
    }
}
