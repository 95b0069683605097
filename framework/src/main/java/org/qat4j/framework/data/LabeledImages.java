package org.qat4j.framework.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images with class labels held as flat float pixels in [0, 1], shape [N, H*W] (channels 1), int labels, the
 * names of the classes (label i names class i), and a fingerprint of the content: the SHA-256 of the raw IDX
 * images and labels, with the example count when the set is a prefix of them. Runs record it, so a resume on
 * other data is caught.
 */
public record LabeledImages(INDArray pixels, int[] labels, int height, int width, List<String> classNames,
        String fingerprint) implements LabeledExamples {

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
        return new LabeledImages(Nd4j.create(px, new long[] {n, (long) h * w}, DataType.FLOAT), y, h, w, classNames,
                sha256(images, labels));
    }

    private static String sha256(IdxFile... files) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (IdxFile f : files) {
            ByteBuffer dims = ByteBuffer.allocate(4 * (f.dims().length + 1)).putInt(f.dims().length);
            for (int d : f.dims()) {
                dims.putInt(d);
            }
            md.update(dims.array());
            md.update(f.data());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public String unit() {
        return "images";
    }

    /** Features [b, 1, H, W], one-hot labels [b, classes], no mask. */
    @Override
    public DataSet batch(int[] rows) {
        INDArray x = Nd4j.pullRows(pixels, 1, rows).reshape(rows.length, 1, height, width);
        INDArray y = Nd4j.zeros(pixels.dataType(), rows.length, classes());
        for (int i = 0; i < rows.length; i++) {
            y.putScalar(i, labels[rows[i]], 1.0);
        }
        return new DataSet(x, y);
    }

    @Override
    public LabeledImages limit(int n) {
        if (n <= 0 || n >= size()) {
            return this;
        }
        int[] y = java.util.Arrays.copyOf(labels, n);
        return new LabeledImages(pixels.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(), y, height, width, classNames,
                fingerprint + " first " + n);
    }
}
