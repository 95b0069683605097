package org.qat4j.framework.data;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The minibatches of one epoch in a shuffled order that is a pure function of (seed, epoch), optionally augmented
 * with transforms drawn from (seed, epoch, batch): a run resumed at batch k of epoch e sees exactly the batches the
 * uninterrupted run saw. The last partial batch is kept.
 */
public final class EpochBatches {

    private final LabeledImages data;
    private final int batchSize;
    private final int[] order;
    private final ImageAugmentation augmentation;
    private final long epochSeed;

    public EpochBatches(LabeledImages data, int batchSize, long seed, int epoch) {
        this(data, batchSize, seed, epoch, ImageAugmentation.NONE);
    }

    public EpochBatches(LabeledImages data, int batchSize, long seed, int epoch, ImageAugmentation augmentation) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1 (got " + batchSize + ")");
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

    /** Batch {@code k}: features [b, 1, H, W], one-hot labels [b, classes]. */
    public DataSet batch(int k) {
        int from = k * batchSize;
        int to = Math.min(from + batchSize, data.size());
        int[] rows = java.util.Arrays.copyOfRange(order, from, to);
        DataSet ds = examples(data, rows);
        if (!augmentation.isNone()) {
            ds.setFeatures(augmentation.apply(ds.getFeatures(), new Random(epochSeed * 1_000_003L + k)));
        }
        return ds;
    }

    /** The given examples in the given order. */
    public static DataSet examples(LabeledImages data, int[] rows) {
        INDArray x = Nd4j.pullRows(data.pixels(), 1, rows).reshape(rows.length, 1, data.height(), data.width());
        INDArray y = Nd4j.zeros(data.pixels().dataType(), rows.length, data.classes());
        for (int i = 0; i < rows.length; i++) {
            y.putScalar(i, data.labels()[rows[i]], 1.0);
        }
        return new DataSet(x, y);
    }
}
