package org.qat4j.framework.diffusion;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One step of the DDPM training objective (Algorithm 1 of Ho et al. 2020) for a batch of clean images x0: per sample
 * {@code t ~ U{0, ..., T-1}} and {@code eps ~ N(0, I)}, and the network learns to predict {@code eps} from
 * {@code (x_t, t)} with {@code x_t = sqrt(alphaBar[t]) x0 + sqrt(1 - alphaBar[t]) eps} ({@link NoiseSchedule}).
 *
 * @param xt  the noised images, x0's shape and data type
 * @param t   the timesteps as a FLOAT [N, 1] array of indices 0 to T - 1, the network's time input
 * @param eps the noise, the regression target
 */
public record TrainingBatch(INDArray xt, INDArray t, INDArray eps) {

    /** {@link #draw(NoiseSchedule, INDArray, RandomGenerator)} from a fresh {@link SplittableRandom} of this seed. */
    public static TrainingBatch draw(NoiseSchedule schedule, INDArray x0, long seed) {
        return draw(schedule, x0, new SplittableRandom(seed));
    }

    /**
     * Draws the N timesteps, then the noise in x0's C order, from {@code rng} alone (never ND4J's global generator),
     * so the same generator state gives the same batch bit for bit.
     */
    public static TrainingBatch draw(NoiseSchedule schedule, INDArray x0, RandomGenerator rng) {
        if (schedule == null || x0 == null || rng == null) {
            throw new IllegalArgumentException("a training batch needs a schedule, images and a generator, got a null");
        }
        if (x0.rank() < 2 || x0.size(0) == 0 || !x0.dataType().isFPType()) {
            throw new IllegalArgumentException("x0 must be a non-empty floating-point [N, ...] array, got "
                    + x0.dataType() + " " + Arrays.toString(x0.shape()));
        }
        int n = (int) x0.size(0);
        int[] steps = new int[n];
        float[] time = new float[n];
        for (int i = 0; i < n; i++) {
            steps[i] = rng.nextInt(schedule.timesteps());
            time[i] = steps[i];
        }
        double[] noise = new double[Math.toIntExact(x0.length())];
        for (int k = 0; k < noise.length; k++) {
            noise[k] = rng.nextGaussian();
        }
        INDArray eps = Nd4j.create(noise, x0.shape(), DataType.DOUBLE).castTo(x0.dataType());
        INDArray t = Nd4j.create(time, new long[] {n, 1}, DataType.FLOAT);
        return new TrainingBatch(schedule.noisy(x0, steps, eps), t, eps);
    }
}
