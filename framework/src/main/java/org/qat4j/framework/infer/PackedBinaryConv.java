package org.qat4j.framework.infer;

import java.util.stream.IntStream;

/**
 * A binary convolution on bit-packed {-1, +1} tensors, the kernel of the inference engine's binary layers.
 * Activations are packed per pixel along the channels (NHWC, {@code ceil(C / 64)} longs per pixel), weights per
 * output channel in the same (kh, kw, c) order; a set bit is -1, the unused tail bits of a pixel's last word are 0.
 * For one output position, over the kernel taps that fall inside the image (zero padding contributes nothing, as in
 * the float convolution of the same tensors):
 * <pre>
 *   sum_taps sum_c a_c w_c = C * validTaps - 2 * popcount(A XOR W)
 * </pre>
 * The packed im2col row of an output pixel holds 0 for taps outside the image; their share of the popcount, the
 * popcount of the weights there, is subtracted again. Results are exact integers. Output pixels are spread over the
 * cores.
 */
public final class PackedBinaryConv {

    private final int inChannels;
    private final int outChannels;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int pad;
    private final int words;
    /** [outChannels][kh * kw * words]. */
    private final long[] weights;
    /** [outChannels][kh * kw]: popcount of each tap's weight words. */
    private final int[] tapPopcount;

    /** From packed weights ({@link #packWeights}). */
    public PackedBinaryConv(long[] packedWeights, int outChannels, int inChannels, int kh, int kw, int stride,
            int pad) {
        if (outChannels < 1 || inChannels < 1 || kh < 1 || kw < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("bad convolution shape");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.pad = pad;
        this.words = wordsFor(inChannels);
        int row = kh * kw * words;
        if (packedWeights.length != outChannels * row) {
            throw new IllegalArgumentException("packed weights hold " + packedWeights.length + " words, the shape needs "
                    + outChannels * row);
        }
        this.weights = packedWeights;
        this.tapPopcount = new int[outChannels * kh * kw];
        for (int o = 0; o < outChannels; o++) {
            for (int t = 0; t < kh * kw; t++) {
                int pc = 0;
                for (int i = 0; i < words; i++) {
                    pc += Long.bitCount(packedWeights[o * row + t * words + i]);
                }
                tapPopcount[o * kh * kw + t] = pc;
            }
        }
    }

    public static int wordsFor(int channels) {
        return (channels + 63) >>> 6;
    }

    /** Packs the signs of NCHW values (bit set where the value is negative) into NHWC words. */
    public static long[] packActivations(float[] nchw, int n, int c, int h, int w) {
        return packActivations(java.nio.FloatBuffer.wrap(nchw), n, c, h, w);
    }

    /** As {@link #packActivations(float[], int, int, int, int)}, from a buffer (an ND4J array's native memory). */
    public static long[] packActivations(java.nio.FloatBuffer nchw, int n, int c, int h, int w) {
        int words = wordsFor(c);
        long[] out = new long[n * h * w * words];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                long bit = 1L << (ch & 63);
                int word = ch >>> 6;
                int src = (b * c + ch) * h * w;
                for (int p = 0; p < h * w; p++) {
                    if (nchw.get(src + p) < 0) {
                        out[((b * h * w) + p) * words + word] |= bit;
                    }
                }
            }
        }
        return out;
    }

    /** Packs the signs of OIHW weights (bit set where negative) into the kernel's (o, kh, kw, c) word order. */
    public static long[] packWeights(float[] oihw, int o, int c, int kh, int kw) {
        int words = wordsFor(c);
        long[] out = new long[o * kh * kw * words];
        for (int oc = 0; oc < o; oc++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        if (oihw[((oc * c + ch) * kh + y) * kw + x] < 0) {
                            out[((oc * kh + y) * kw + x) * words + (ch >>> 6)] |= 1L << (ch & 63);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The popcount an output channel's weights add over the taps outside the image (their im2col words are 0). */
    private int outside(int o, boolean[] inside, int valid) {
        if (valid == kh * kw) {
            return 0;
        }
        int pc = 0;
        for (int t = 0; t < kh * kw; t++) {
            if (!inside[t]) {
                pc += tapPopcount[o * kh * kw + t];
            }
        }
        return pc;
    }

    public int outSize(int in, int k) {
        return (in + 2 * pad - k) / stride + 1;
    }

    /** Dot products [n][outChannels][oh][ow] of packed activations [n][h][w][words]. */
    public int[] apply(long[] act, int n, int h, int w) {
        if (act.length != n * h * w * words) {
            throw new IllegalArgumentException("packed activations hold " + act.length + " words, expected "
                    + n * h * w * words);
        }
        int oh = outSize(h, kh);
        int ow = outSize(w, kw);
        int[] out = new int[n * outChannels * oh * ow];
        int row = kh * kw * words;
        IntStream.range(0, n * oh).parallel().forEach(job -> {
            int b = job / oh;
            int y = job % oh;
            long[] col = new long[row];
            boolean[] inside = new boolean[kh * kw];
            for (int x = 0; x < ow; x++) {
                int valid = 0;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = y * stride - pad + ky;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = x * stride - pad + kx;
                        int t = ky * kw + kx;
                        boolean in = iy >= 0 && iy < h && ix >= 0 && ix < w;
                        inside[t] = in;
                        if (in) {
                            valid++;
                        }
                        int src = ((b * h + iy) * w + ix) * words;
                        for (int i = 0; i < words; i++) {
                            col[t * words + i] = in ? act[src + i] : 0L;
                        }
                    }
                }
                int full = valid * inChannels;
                int base = ((b * outChannels) * oh + y) * ow + x;
                int o = 0;
                // four output channels per pass over the im2col row: each activation word is loaded once for four
                for (; o + 4 <= outChannels; o += 4) {
                    int w0 = o * row;
                    int w1 = w0 + row;
                    int w2 = w1 + row;
                    int w3 = w2 + row;
                    int p0 = 0;
                    int p1 = 0;
                    int p2 = 0;
                    int p3 = 0;
                    for (int i = 0; i < row; i++) {
                        long a = col[i];
                        p0 += Long.bitCount(a ^ weights[w0 + i]);
                        p1 += Long.bitCount(a ^ weights[w1 + i]);
                        p2 += Long.bitCount(a ^ weights[w2 + i]);
                        p3 += Long.bitCount(a ^ weights[w3 + i]);
                    }
                    out[base + o * oh * ow] = full - 2 * (p0 - outside(o, inside, valid));
                    out[base + (o + 1) * oh * ow] = full - 2 * (p1 - outside(o + 1, inside, valid));
                    out[base + (o + 2) * oh * ow] = full - 2 * (p2 - outside(o + 2, inside, valid));
                    out[base + (o + 3) * oh * ow] = full - 2 * (p3 - outside(o + 3, inside, valid));
                }
                for (; o < outChannels; o++) {
                    int w0 = o * row;
                    int pc = 0;
                    for (int i = 0; i < row; i++) {
                        pc += Long.bitCount(col[i] ^ weights[w0 + i]);
                    }
                    out[base + o * oh * ow] = full - 2 * (pc - outside(o, inside, valid));
                }
            }
        });
        return out;
    }
}
