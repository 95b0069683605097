package org.qat4j.framework.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The packed kernel equals the float convolution of the same {-1, +1} tensors, with zero padding. */
class PackedBinaryConvTest {

    private static float[] signs(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextBoolean() ? 1f : -1f;
        }
        return a;
    }

    /** The direct float convolution, NCHW input, OIHW weights, zero padding. */
    static int[] reference(float[] x, int n, int c, int h, int w, float[] wt, int o, int k, int stride, int pad) {
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        int[] out = new int[n * o * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        float s = 0;
                        for (int ch = 0; ch < c; ch++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = y * stride - pad + ky;
                                    int ix = xx * stride - pad + kx;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        s += x[((b * c + ch) * h + iy) * w + ix] * wt[((oc * c + ch) * k + ky) * k + kx];
                                    }
                                }
                            }
                        }
                        out[((b * o + oc) * oh + y) * ow + xx] = (int) s;
                    }
                }
            }
        }
        return out;
    }

    /** Channel counts that split taps across words (3, 20, 32, 65, 130) as well as whole words; odd widths. */
    @ParameterizedTest(name = "n{0} c{1} {2}x{3} o{4} k{5} s{6} p{7}")
    @CsvSource({"2, 3, 5, 5, 4, 3, 1, 1", "1, 64, 6, 6, 8, 3, 1, 1", "2, 130, 7, 7, 5, 3, 2, 1", "3, 32, 8, 8, 16, 1, 1, 0",
        "1, 65, 9, 7, 3, 3, 2, 0", "2, 128, 4, 4, 64, 3, 1, 1", "2, 32, 7, 9, 7, 3, 1, 1", "1, 20, 6, 5, 3, 5, 1, 2",
        "2, 32, 8, 8, 6, 3, 2, 1", "1, 1, 5, 5, 2, 3, 1, 1", "1, 9, 12, 3, 4, 9, 1, 4"})
    void equalsTheFloatConvolutionOfTheSigns(int n, int c, int h, int w, int o, int k, int stride, int pad) {
        Random r = new Random(n * 1000 + c * 31 + k);
        float[] x = signs(r, n * c * h * w);
        float[] wt = signs(r, o * c * k * k);
        PackedBinaryConv conv = new PackedBinaryConv(PackedBinaryConv.packWeights(wt, o, c, k, k), o, c, k, k, stride,
                pad);
        int[] got = conv.apply(PackedBits.pack(x, null, n, c, h, w));
        assertArrayEquals(reference(x, n, c, h, w, wt, o, k, stride, pad), got);
    }

    @Test
    void packingAppliesTheShiftAndUnpackingRestoresTheSigns() {
        int n = 2;
        int c = 70;
        float[] x = new float[n * c * 3];
        float[] shift = new float[c];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        x[1] = -0.0f;
        for (int i = 0; i < c; i++) {
            shift[i] = (float) r.nextGaussian();
        }
        shift[0] = 0f;
        PackedBits bits = PackedBits.pack(x, shift, n, c, 1, 3);
        float[] signs = bits.unpack();
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] + shift[(i / 3) % c] < 0f ? -1f : 1f, signs[i], "value " + i);
        }
        assertEquals(1f, signs[1], "sign(-0) = +1");
    }

    @Test
    void wrongSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PackedBinaryConv(new long[3], 2, 64, 3, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new PackedBits(new long[3], 1, 64, 2, 2));
        PackedBinaryConv conv = new PackedBinaryConv(new long[2 * 9], 2, 64, 3, 3, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> conv.apply(new PackedBits(new long[4], 1, 32, 2, 2)));
    }
}
