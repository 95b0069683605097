package org.qat4j.framework.diffusion;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The images the diffusion models see: Fashion-MNIST's 28x28 pixels in [0, 1] (the classifiers' range) padded by
 * {@value #PAD} on every side with the background and mapped to [-1, 1], 32x32, so that the U-Net can halve the
 * resolution three times.
 * <pre>
 *   diffusion = 2 pad(x) - 1,        classifier = (crop(d) + 1) / 2,   crop = the centre 28x28
 * </pre>
 */
public final class DiffusionImages {

    public static final int SIZE = 32;
    public static final int PAD = 2;
    public static final int CLASSIFIER_SIZE = SIZE - 2 * PAD;

    private DiffusionImages() {
    }

    /** [N, 1, 28, 28] in [0, 1] to [N, 1, 32, 32] in [-1, 1]. */
    public static INDArray fromClassifierRange(INDArray images) {
        check(images, CLASSIFIER_SIZE);
        INDArray out = Nd4j.valueArrayOf(new long[] {images.size(0), images.size(1), SIZE, SIZE}, -1.0,
                images.dataType());
        out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(PAD, PAD + CLASSIFIER_SIZE),
                NDArrayIndex.interval(PAD, PAD + CLASSIFIER_SIZE)).assign(images.mul(2).subi(1));
        return out;
    }

    /**
     * [N, 1, 32, 32] in [-1, 1] to the centre [N, 1, 28, 28] FLOAT in [0, 1], rounded to 8-bit levels:
     * {@code p = round(255 clamp((x + 1) / 2, 0, 1)) / 255}. The clamp and the rounding are what saving a sample as
     * a PNG and reading it back as Fashion-MNIST does: a classifier only ever saw pixels k/255, and a padded real
     * image comes back bit for bit.
     */
    public static INDArray toClassifierRange(INDArray images) {
        check(images, SIZE);
        INDArray crop = images.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(PAD, PAD + CLASSIFIER_SIZE), NDArrayIndex.interval(PAD, PAD + CLASSIFIER_SIZE));
        INDArray levels = crop.castTo(DataType.DOUBLE).dup('c').addi(1).muli(255 / 2.0);
        levels = Transforms.round(Transforms.min(Transforms.max(levels, 0.0, false), 255.0, false), false);
        // k / 255 in FLOAT, as LabeledImages computes real pixels
        return levels.castTo(DataType.FLOAT).divi(255f);
    }

    private static void check(INDArray images, int size) {
        if (images == null || images.rank() != 4 || images.size(2) != size || images.size(3) != size) {
            throw new IllegalArgumentException("expected images [N, C, " + size + ", " + size + "], got "
                    + (images == null ? "none" : Arrays.toString(images.shape())));
        }
    }
}
