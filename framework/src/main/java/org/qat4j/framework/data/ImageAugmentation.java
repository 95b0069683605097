package org.qat4j.framework.data;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random training-time transforms of single-channel image batches [b, 1, H, W], drawn per example:
 * <pre>
 *   flip:   mirror left-right with probability 1/2
 *   shift:  translate by (dy, dx), each uniform in {-shift..shift} pixels; uncovered pixels become 0
 * </pre>
 * The caller seeds the generator, so a batch's transforms are a function of (seed, epoch, batch) and a resumed run
 * sees the same images. Per-example random translations have no ND4J op; the loop runs over one small batch.
 */
public record ImageAugmentation(boolean flip, int shift) {

    public static final ImageAugmentation NONE = new ImageAugmentation(false, 0);

    public ImageAugmentation {
        if (shift < 0) {
            throw new IllegalArgumentException("shift must be >= 0 pixels (got " + shift + ")");
        }
    }

    /** Whether it leaves images as they are. */
    public boolean isNone() {
        return !flip && shift == 0;
    }

    /** A transformed copy of {@code x} [b, 1, H, W]. */
    public INDArray apply(INDArray x, Random rnd) {
        if (x.rank() != 4 || x.size(1) != 1) {
            throw new IllegalArgumentException("image augmentation expects [b, 1, H, W], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        int b = (int) x.size(0);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        float[][] in = x.reshape(b, (long) h * w).toFloatMatrix();
        float[] out = new float[b * h * w];
        for (int i = 0; i < b; i++) {
            boolean mirror = flip && rnd.nextBoolean();
            int dy = shift == 0 ? 0 : rnd.nextInt(2 * shift + 1) - shift;
            int dx = shift == 0 ? 0 : rnd.nextInt(2 * shift + 1) - shift;
            for (int r = 0; r < h; r++) {
                int sr = r - dy;
                if (sr < 0 || sr >= h) {
                    continue;
                }
                for (int c = 0; c < w; c++) {
                    int sc = c - dx;
                    if (sc >= 0 && sc < w) {
                        out[(i * h + r) * w + c] = in[i][sr * w + (mirror ? w - 1 - sc : sc)];
                    }
                }
            }
        }
        return Nd4j.create(out, x.shape(), x.dataType());
    }
}
