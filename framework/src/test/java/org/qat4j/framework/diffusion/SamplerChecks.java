package org.qat4j.framework.diffusion;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Data and measurements the sampler tests share. */
final class SamplerChecks {

    private SamplerChecks() {
    }

    /** A fixed image of {@code size} values uniform in [-0.9, 0.9]. */
    static double[] image(int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            v[i] = rng.nextDouble(-0.9, 0.9);
        }
        return v;
    }

    /** Largest |sample_j - image_j| of sample i. */
    static double distance(INDArray samples, int i, double[] image) {
        double[] s = samples.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double worst = 0;
        for (int j = 0; j < image.length; j++) {
            worst = Math.max(worst, Math.abs(s[i * image.length + j] - image[j]));
        }
        return worst;
    }

    /** Mean and standard deviation of all values. */
    static double[] moments(INDArray samples) {
        double[] s = samples.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double sum = 0;
        double sq = 0;
        for (double v : s) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / s.length;
        return new double[] {mean, Math.sqrt(sq / s.length - mean * mean)};
    }
}
