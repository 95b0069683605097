package org.qat4j.framework.data;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images with class labels held as flat float pixels in [0, 1], shape [N, H*W] (channels 1), int labels, and the
 * names of the classes (label i names class i).
 */
public record LabeledImages(INDArray pixels, int[] labels, int height, int width, List<String> classNames) {

    public LabeledImages {
        classNames = List.copyOf(classNames);
    }

    /** From an images IDX file [N, H, W] and a labels IDX file [N]. */
    public static LabeledImages of(IdxFile images, IdxFile labels, List<String> classNames) {
        int classes = classNames.size();
        if (images.dims().length != 3 || labels.dims().length != 1) {
            throw new IllegalArgumentException(images.name() + " / " + labels.name() + ": expected images [N, H, W] "
                    + "and labels [N]");
        }
        int n = images.dims()[0];
        if (labels.dims()[0] != n) {
            throw new IllegalArgumentException(labels.name() + ": " + labels.dims()[0] + " labels for " + n
                    + " images in " + images.name());
        }
        int h = images.dims()[1];
        int w = images.dims()[2];
        float[] px = new float[n * h * w];
        byte[] raw = images.data();
        for (int i = 0; i < px.length; i++) {
            px[i] = (raw[i] & 0xff) / 255f;
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.data()[i] & 0xff;
            if (y[i] >= classes) {
                throw new IllegalArgumentException(labels.name() + ": label " + y[i] + " at index " + i
                        + " is not a class 0.." + (classes - 1));
            }
        }
        return new LabeledImages(Nd4j.create(px, new long[] {n, (long) h * w}, DataType.FLOAT), y, h, w, classNames);
    }

    public int classes() {
        return classNames.size();
    }

    public int size() {
        return labels.length;
    }

    /** The first {@code n} examples (all when n is 0 or larger than the set). */
    public LabeledImages limit(int n) {
        if (n <= 0 || n >= size()) {
            return this;
        }
        int[] y = java.util.Arrays.copyOf(labels, n);
        return new LabeledImages(pixels.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), y, height, width, classNames);
    }
}
