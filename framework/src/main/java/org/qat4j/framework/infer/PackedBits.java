package org.qat4j.framework.infer;

import java.util.stream.IntStream;

/**
 * A {-1, +1} tensor of shape [n, c, h, w] packed one bit per value, per pixel along the channels (NHWC order,
 * {@code ceil(c / 64)} longs per pixel): bit {@code ch & 63} of word {@code ch >>> 6} is set where the value is -1;
 * the unused tail bits of a pixel's last word are 0.
 */
public record PackedBits(long[] words, int n, int c, int h, int w) {

    public PackedBits {
        if ((long) n * h * w * wordsFor(c) != words.length) {
            throw new IllegalArgumentException("packed tensor [" + n + ", " + c + ", " + h + ", " + w + "] needs "
                    + (long) n * h * w * wordsFor(c) + " words, got " + words.length);
        }
    }

    public static int wordsFor(int channels) {
        return (channels + 63) >>> 6;
    }

    public int wordsPerPixel() {
        return wordsFor(c);
    }

    /**
     * The signs, with {@code sign(0) = +1}, of NCHW values plus a per-channel shift (null for none): a bit is set
     * where {@code x + shift < 0}, the sum rounded to float as the activation quantizer computes it.
     */
    public static PackedBits pack(float[] nchw, float[] shift, int n, int c, int h, int w) {
        int cw = wordsFor(c);
        int hw = h * w;
        long[] out = new long[n * hw * cw];
        IntStream.range(0, n).parallel().forEach(b -> {
            for (int ch = 0; ch < c; ch++) {
                int word = ch >>> 6;
                float s = shift == null ? 0f : shift[ch];
                int src = (b * c + ch) * hw;
                int dst = b * hw * cw + word;
                for (int p = 0; p < hw; p++) {
                    out[dst + p * cw] |= negative(nchw[src + p] + s) << (ch & 63);
                }
            }
        });
        return new PackedBits(out, n, c, h, w);
    }

    /**
     * 1 where {@code v < 0}, else 0, without a branch (random signs defeat branch prediction, which made this test
     * cost more than the arithmetic around it): the sign bit of {@code v + 0.0f}, a sum that turns -0 into +0 and
     * leaves every other value as it is. NaN, which no trained model should produce, gives its sign bit.
     */
    public static long negative(float v) {
        return Float.floatToRawIntBits(v + 0.0f) >>> 31;
    }

    /** The {-1, +1} values, NCHW. */
    public float[] unpack() {
        int cw = wordsFor(c);
        int hw = h * w;
        float[] out = new float[n * c * hw];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    long word = words[(b * hw + p) * cw + (ch >>> 6)];
                    out[(b * c + ch) * hw + p] = ((word >>> (ch & 63)) & 1) == 0 ? 1f : -1f;
                }
            }
        }
        return out;
    }
}
