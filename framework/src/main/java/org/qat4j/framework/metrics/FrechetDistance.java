package org.qat4j.framework.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Frechet (2-Wasserstein) distance between two Gaussians N(mu1, S1) and N(mu2, S2):
 * <pre>
 *   FD = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^{1/2})
 * </pre>
 * computed in DOUBLE. S1 S2 is not symmetric, but it is similar to the symmetric PSD matrix
 * {@code M = S1^{1/2} S2 S1^{1/2}}, so {@code Tr((S1 S2)^{1/2}) = sum_i sqrt(lambda_i(M))}. S1^{1/2} comes from the
 * symmetric eigendecomposition {@code S1 = V diag(l) V^T} as {@code V diag(sqrt(l)) V^T}; eigenvalues that rounding
 * pushes below zero (rank-deficient covariances, e.g. features that are always 0) are taken as 0. This avoids the
 * general matrix square root (and its complex parts) that {@code scipy.linalg.sqrtm} needs.
 */
public final class FrechetDistance {

    private FrechetDistance() {
    }

    /** The distance between the Gaussians fitted to the rows of two feature matrices [n1, d] and [n2, d]. */
    public static double between(INDArray features1, INDArray features2) {
        if (features1.rank() == 2 && features2.rank() == 2 && features1.size(1) != features2.size(1)) {
            throw new IllegalArgumentException("Frechet distance: the feature widths differ (" + features1.size(1)
                    + " vs " + features2.size(1) + ")");
        }
        return between(GaussianStats.of(features1), GaussianStats.of(features2));
    }

    /** The distance between two Gaussians of the same dimension. */
    public static double between(GaussianStats a, GaussianStats b) {
        if (a.dimension() != b.dimension()) {
            throw new IllegalArgumentException("Frechet distance: the feature widths differ (" + a.dimension()
                    + " vs " + b.dimension() + ")");
        }
        INDArray diff = a.mean().sub(b.mean());
        double meanTerm = diff.mul(diff).sumNumber().doubleValue();
        INDArray root = sqrtPsd(a.cov());
        INDArray m = root.mmul(b.cov()).mmul(root);
        m = m.add(m.transpose()).muli(0.5);
        double traceRoot = 0;
        for (double l : eigendecompose(m).values().toDoubleVector()) {
            traceRoot += Math.sqrt(Math.max(l, 0));
        }
        double fd = meanTerm + trace(a.cov()) + trace(b.cov()) - 2 * traceRoot;
        // the distance is >= 0; rounding can leave identical Gaussians a few ulps below it
        return Math.max(fd, 0);
    }

    /** V diag(sqrt(max(l, 0))) V^T of a symmetric PSD matrix. */
    private static INDArray sqrtPsd(INDArray symmetric) {
        Eigendecomposition e = eigendecompose(symmetric);
        INDArray roots = Transforms.sqrt(Transforms.max(e.values(), 0.0, true), false);
        return e.vectors().mulRowVector(roots).mmul(e.vectors().transpose());
    }

    /** Eigenvalues [d] and eigenvectors as the columns of [d, d]. */
    private record Eigendecomposition(INDArray values, INDArray vectors) {
    }

    /**
     * The symmetric eigendecomposition by LAPACK syev. ND4J's CPU binding drops syev's status and leaves the
     * eigenvalues 0 when it fails, so their sum is checked against the trace.
     */
    private static Eigendecomposition eigendecompose(INDArray symmetric) {
        // syev overwrites its argument with the eigenvectors: it gets a private c-order copy
        INDArray vectors = symmetric.dup('c');
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors);
        double trace = trace(symmetric);
        double scale = 0;
        for (int i = 0; i < symmetric.rows(); i++) {
            scale += Math.abs(symmetric.getDouble(i, i));
        }
        double sum = values.sumNumber().doubleValue();
        if (!GaussianStats.finite(values) || Math.abs(sum - trace) > 1e-6 * scale) {
            throw new IllegalStateException("Frechet distance: the symmetric eigendecomposition failed (eigenvalues "
                    + "sum to " + sum + ", trace " + trace + ")");
        }
        return new Eigendecomposition(values, vectors);
    }

    private static double trace(INDArray square) {
        double t = 0;
        for (int i = 0; i < square.rows(); i++) {
            t += square.getDouble(i, i);
        }
        return t;
    }
}
