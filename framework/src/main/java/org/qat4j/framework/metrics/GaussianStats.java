package org.qat4j.framework.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Gaussian fitted to a set of feature vectors: mean {@code mu = (1/n) sum_i x_i} [d] and unbiased covariance
 * {@code S = (1/(n-1)) sum_i (x_i - mu)(x_i - mu)^T} [d, d], both in DOUBLE whatever the features' type, as the
 * Frechet distance needs them.
 */
public record GaussianStats(INDArray mean, INDArray cov) {

    public GaussianStats {
        if (mean.rank() != 1 || cov.rank() != 2 || cov.size(0) != mean.length() || cov.size(1) != mean.length()) {
            throw new IllegalArgumentException("Gaussian statistics: expected a mean [d] and a covariance [d, d], got "
                    + Arrays.toString(mean.shape()) + " and " + Arrays.toString(cov.shape()));
        }
        mean = mean.castTo(DataType.DOUBLE).dup();
        cov = cov.castTo(DataType.DOUBLE).dup();
        if (!finite(mean) || !finite(cov)) {
            throw new IllegalArgumentException("Gaussian statistics: the mean or covariance holds non-finite values");
        }
    }

    /** The statistics of the rows of {@code features} [n, d]; n must be at least 2 and every value finite. */
    public static GaussianStats of(INDArray features) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException("features: expected a matrix [n, d], got shape "
                    + Arrays.toString(features.shape()));
        }
        long n = features.size(0);
        if (n < 2) {
            throw new IllegalArgumentException("features: a covariance needs at least 2 samples, got " + n);
        }
        INDArray x = features.castTo(DataType.DOUBLE).dup('c');
        if (!finite(x)) {
            throw new IllegalArgumentException("features: " + n + " x " + features.size(1)
                    + " matrix holds non-finite values");
        }
        INDArray mean = x.mean(0);
        INDArray centred = x.subiRowVector(mean);
        INDArray cov = centred.transpose().mmul(centred).divi(n - 1);
        return new GaussianStats(mean, cov);
    }

    /** The width d of the feature vectors. */
    public int dimension() {
        return (int) mean.length();
    }

    static boolean finite(INDArray a) {
        for (double v : a.dup('c').data().asDouble()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
