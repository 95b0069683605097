package org.qat4j.framework.data;

import java.util.Random;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The minibatches of one epoch in a shuffled order that is a pure function of (seed, epoch), optionally augmented
 * with transforms drawn from (seed, epoch, batch): a run resumed at batch k of epoch e sees exactly the batches the
 * uninterrupted run saw. The last partial batch is kept.
 */
public final class EpochBatches {

    private final LabeledExamples data;
    private final int batchSize;
    private final int[] order;
    private final ImageAugmentation augmentation;
    private final long epochSeed;

    public EpochBatches(LabeledExamples data, int batchSize, long seed, int epoch) {
        this(data, batchSize, seed, epoch, ImageAugmentation.NONE);
    }

    public EpochBatches(LabeledExamples data, int batchSize, long seed, int epoch, ImageAugmentation augmentation) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1 (got " + batchSize + ")");
        }
        if (!augmentation.isNone() && !(data instanceof LabeledImages)) {
            throw new IllegalArgumentException("image augmentation needs images, not " + data.unit());
        }
        this.data = data;
        this.batchSize = batchSize;
        this.epochSeed = seed * 1_000_003L + epoch;
        this.order = permutation(data.size(), new Random(epochSeed));
        this.augmentation = augmentation;
    }

    private static int[] permutation(int n, Random rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    public int count() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    /** Batch {@code k}, as {@link LabeledExamples#batch} gives it, augmented. */
    public DataSet batch(int k) {
        int from = k * batchSize;
        int to = Math.min(from + batchSize, data.size());
        DataSet ds = data.batch(java.util.Arrays.copyOfRange(order, from, to));
        if (!augmentation.isNone()) {
            ds.setFeatures(augmentation.apply(ds.getFeatures(), new Random(epochSeed * 1_000_003L + k)));
        }
        return ds;
    }
}
