package org.qat4j.framework.diffusion;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact noise predictors E[eps | x_t] for data distributions where it has a closed form, computed per sample in
 * double on Java arrays (so they treat samples independently and batching cannot change their output). With
 * {@code x0hat = E[x0 | x_t]}, {@code E[eps | x_t] = (x_t - sqrt(alphaBar[t]) x0hat) / sqrt(1 - alphaBar[t])}.
 */
final class Oracles {

    private Oracles() {
    }

    /** Data = the single image {@code point} (flattened C, H, W): x0hat = point. */
    static EpsilonModel pointMass(NoiseSchedule schedule, double[] point) {
        return mixture(schedule, point, point);
    }

    /**
     * Data = a or b with probability 1/2 each: x0hat = w a + (1 - w) b with the posterior probability of a
     * {@code w = 1 / (1 + exp(lb - la))}, {@code la = -|x_t - sqrt(alphaBar) a|^2 / (2 (1 - alphaBar))} (lb alike).
     */
    static EpsilonModel mixture(NoiseSchedule schedule, double[] a, double[] b) {
        return (xt, t) -> {
            int d = a.length;
            double[] x = flat(xt, t.length, d);
            double[] eps = new double[x.length];
            for (int i = 0; i < t.length; i++) {
                double ab = schedule.alphaBar(t[i]);
                double s = Math.sqrt(ab);
                double la = 0;
                double lb = 0;
                for (int j = 0; j < d; j++) {
                    double ra = x[i * d + j] - s * a[j];
                    double rb = x[i * d + j] - s * b[j];
                    la -= ra * ra / (2 * (1 - ab));
                    lb -= rb * rb / (2 * (1 - ab));
                }
                double w = 1 / (1 + Math.exp(lb - la));
                for (int j = 0; j < d; j++) {
                    double x0 = w * a[j] + (1 - w) * b[j];
                    eps[i * d + j] = (x[i * d + j] - s * x0) / Math.sqrt(1 - ab);
                }
            }
            return Nd4j.create(eps, xt.shape(), DataType.DOUBLE).castTo(DataType.FLOAT);
        };
    }

    /**
     * Data = independent N(mu, s^2) pixels: x_t ~ N(sqrt(ab) mu, ab s^2 + 1 - ab) per pixel, and
     * {@code E[eps | x_t] = sqrt(1 - ab) (x_t - sqrt(ab) mu) / (ab s^2 + 1 - ab)}.
     */
    static EpsilonModel gaussian(NoiseSchedule schedule, double mu, double s) {
        return (xt, t) -> {
            int d = (int) (xt.length() / t.length);
            double[] x = flat(xt, t.length, d);
            double[] eps = new double[x.length];
            for (int i = 0; i < t.length; i++) {
                double ab = schedule.alphaBar(t[i]);
                for (int j = 0; j < d; j++) {
                    eps[i * d + j] = Math.sqrt(1 - ab) * (x[i * d + j] - Math.sqrt(ab) * mu) / (ab * s * s + 1 - ab);
                }
            }
            return Nd4j.create(eps, xt.shape(), DataType.DOUBLE).castTo(DataType.FLOAT);
        };
    }

    private static double[] flat(INDArray xt, int n, int d) {
        if (xt.length() != (long) n * d) {
            throw new IllegalStateException("oracle for " + d + " pixels got " + Arrays.toString(xt.shape()));
        }
        return xt.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
