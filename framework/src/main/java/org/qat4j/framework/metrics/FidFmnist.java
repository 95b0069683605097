package org.qat4j.framework.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.data.LabeledImages;

/**
 * FID-FMNIST, the quality metric of qat4j's diffusion models on Fashion-MNIST:
 * <pre>
 *   FID = ||mu_g - mu_r||^2 + Tr(S_g + S_r - 2 (S_g S_r)^{1/2})
 * </pre>
 * the {@link FrechetDistance} between the Gaussians fitted to the {@link ClassifierFeatures} of the generated
 * images (g) and of the first n images of the Fashion-MNIST test set (r; all 10,000, or fewer as the caller
 * chooses). The features are those of a trained FP32 Fashion-MNIST classifier of ours (the input of its
 * {@code logits} layer), not Inception-v3's: values are NOT comparable to the Inception FID of the literature, only
 * to FID-FMNIST values computed with the same classifier checkpoint (same parameter SHA-256) and the same n. Like
 * every FID it is biased upwards at small sample counts, so compare values at equal n.
 *
 * <p>Beside the distance it reports which classes the classifier sees in the samples ({@link LabelHistogram}) and
 * the entropy of that distribution, a quick check for mode collapse.
 *
 * <p>Reference statistics are cached in memory, per (classifier parameter SHA-256, test set fingerprint, n).
 */
public final class FidFmnist {

    /**
     * One evaluation: the distance, the number of generated images and of reference images, the classes predicted
     * for the generated images and the entropy of that histogram in bits.
     */
    public record Result(double fid, int samples, int referenceImages, LabelHistogram labels,
            double labelEntropyBits) {
    }

    private record Key(String paramsSha256, String testFingerprint, int n) {
    }

    private static final Map<Key, GaussianStats> REFERENCE = new ConcurrentHashMap<>();

    private final ClassifierFeatures classifier;
    private final LabeledImages testSet;

    /** FID-FMNIST with this classifier against this test set (Fashion-MNIST's, 28x28, ten classes). */
    public FidFmnist(ClassifierFeatures classifier, LabeledImages testSet) {
        if (testSet.classes() != classifier.classes() || testSet.height() != 28 || testSet.width() != 28) {
            throw new IllegalArgumentException("FID-FMNIST: the classifier (" + classifier.describe() + ") predicts "
                    + classifier.classes() + " classes; the reference set has " + testSet.classes() + " classes of "
                    + testSet.height() + "x" + testSet.width() + " images");
        }
        this.classifier = classifier;
        this.testSet = testSet;
    }

    /** Against the test set of Fashion-MNIST as {@link FashionMnist#load} finds it ({@code dataDir} may be null). */
    public static FidFmnist load(ClassifierFeatures classifier, Path dataDir) throws IOException {
        return new FidFmnist(classifier, FashionMnist.load(dataDir).test());
    }

    /** Number of images of the reference (test) set. */
    public int referenceSize() {
        return testSet.size();
    }

    /** The statistics of the classifier's features of the first {@code n} test images, computed once per key. */
    public GaussianStats referenceStats(int n) {
        if (n < 2 || n > testSet.size()) {
            throw new IllegalArgumentException("FID-FMNIST: the reference must be 2.." + testSet.size()
                    + " test images (" + testSet.size() + " available), got " + n);
        }
        Key key = new Key(classifier.paramsSha256(), testSet.fingerprint(), n);
        GaussianStats cached = REFERENCE.get(key);
        if (cached != null) {
            return cached;
        }
        LabeledImages first = testSet.limit(n);
        INDArray images = first.pixels().reshape(n, 1, first.height(), first.width());
        GaussianStats stats = GaussianStats.of(classifier.compute(images).features());
        GaussianStats raced = REFERENCE.putIfAbsent(key, stats);
        return raced != null ? raced : stats;
    }

    /** FID-FMNIST of generated images against the whole test set. */
    public Result score(INDArray images) {
        return score(images, testSet.size());
    }

    /**
     * FID-FMNIST of generated images ([N, 1, 32, 32] in [-1, 1], or [N, 1, 28, 28] in [0, 1]; N >= 2) against the
     * first {@code referenceImages} test images.
     */
    public Result score(INDArray images, int referenceImages) {
        GaussianStats reference = referenceStats(referenceImages);
        ClassifierFeatures.Output out = classifier.compute(images);
        double fid = FrechetDistance.between(GaussianStats.of(out.features()), reference);
        LabelHistogram labels = LabelHistogram.of(out.predicted(), testSet.classNames());
        return new Result(fid, out.predicted().length, referenceImages, labels, labels.entropyBits());
    }
}
