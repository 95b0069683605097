package org.qat4j.framework.infer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * A binary convolution on bit-packed {-1, +1} tensors, the kernel of the inference engine's binary layers.
 * Activations are packed per pixel along the channels ({@link PackedBits}: NHWC, a set bit is -1). The kernel
 * gathers, for each output pixel, the packed im2col row: one bit string of {@code K = C * kh * kw} bits in
 * (ky, kx, c) order, so that channel counts below 64 do not pad every tap to a whole word; weights are packed per
 * output channel in the same order. For one output position, over the taps inside the image (zero padding adds
 * nothing, as in the float convolution of the same tensors):
 * <pre>
 *   sum_taps sum_c a_c w_c = C * validTaps - 2 * popcount(A XOR W)
 * </pre>
 * The taps outside the image hold 0 in A, so their share of the popcount is the popcount of the weights there,
 * precomputed per border position and subtracted. Results are exact integers. The kernel works on one output row
 * of one image at a time (rows spread over the cores), counts with a {@link RowPopcounts} loop, and hands the
 * row's dot products to a {@link RowSink}, which the engine
 * uses to scale, normalise, add and re-pack them without another pass over memory.
 */
public final class PackedBinaryConv {

    /** Receives the dot products of one output row. */
    @FunctionalInterface
    public interface RowSink {
        /** {@code dots[x * outChannels + o]} for the {@code ow} pixels of output row {@code y} of image {@code b}. */
        void row(int b, int y, int[] dots);
    }

    /** Which taps fall inside the image, per output position, and what that means for each output channel. */
    private record Geometry(int oh, int ow, int[] classOf, int[] full, int[] outside) {
    }

    private final int inChannels;
    private final int outChannels;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int pad;
    /** Words per im2col row. */
    private final int words;
    /** [outChannels][words]. */
    private final long[] weights;
    /** [outChannels][kh * kw]: popcount of each tap's weight bits. */
    private final int[] tapPopcount;
    private final Map<Long, Geometry> geometries = new ConcurrentHashMap<>();
    private final RowPopcounts popcounts;

    /** From packed weights ({@link #packWeights}), with the fastest popcount loop this JVM can run. */
    public PackedBinaryConv(long[] packedWeights, int outChannels, int inChannels, int kh, int kw, int stride,
            int pad) {
        this(packedWeights, outChannels, inChannels, kh, kw, stride, pad, RowPopcounts.best());
    }

    public PackedBinaryConv(long[] packedWeights, int outChannels, int inChannels, int kh, int kw, int stride,
            int pad, RowPopcounts popcounts) {
        this.popcounts = popcounts;
        if (outChannels < 1 || inChannels < 1 || kh < 1 || kw < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("bad convolution shape");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.pad = pad;
        this.words = rowWords(inChannels, kh, kw);
        if (packedWeights.length != outChannels * words) {
            throw new IllegalArgumentException("packed weights hold " + packedWeights.length + " words, the shape needs "
                    + outChannels * words);
        }
        this.weights = packedWeights;
        this.tapPopcount = new int[outChannels * kh * kw];
        for (int o = 0; o < outChannels; o++) {
            for (int t = 0; t < kh * kw; t++) {
                int pc = 0;
                for (int c = 0; c < inChannels; c++) {
                    int bit = t * inChannels + c;
                    pc += (int) (packedWeights[o * words + (bit >>> 6)] >>> (bit & 63)) & 1;
                }
                tapPopcount[o * kh * kw + t] = pc;
            }
        }
    }

    private static int rowWords(int c, int kh, int kw) {
        return (int) ((c * (long) kh * kw + 63) >>> 6);
    }

    public String popcounts() {
        return popcounts.description();
    }

    public int outChannels() {
        return outChannels;
    }

    /** Packs the signs of OIHW weights (bit set where negative) into rows of C x kh x kw bits, (kh, kw, c) order. */
    public static long[] packWeights(float[] oihw, int o, int c, int kh, int kw) {
        int words = rowWords(c, kh, kw);
        long[] out = new long[o * words];
        for (int oc = 0; oc < o; oc++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        if (oihw[((oc * c + ch) * kh + y) * kw + x] < 0) {
                            int bit = (y * kw + x) * c + ch;
                            out[oc * words + (bit >>> 6)] |= 1L << (bit & 63);
                        }
                    }
                }
            }
        }
        return out;
    }

    public int outHeight(int h) {
        return (h + 2 * pad - kh) / stride + 1;
    }

    public int outWidth(int w) {
        return (w + 2 * pad - kw) / stride + 1;
    }

    private Geometry geometry(int h, int w) {
        return geometries.computeIfAbsent(((long) h << 32) | w, key -> {
            int oh = outHeight(h);
            int ow = outWidth(w);
            Map<BitSet, Integer> classes = new HashMap<>();
            int[] classOf = new int[oh * ow];
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    BitSet mask = new BitSet();
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = y * stride - pad + ky;
                            int ix = x * stride - pad + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                mask.set(ky * kw + kx);
                            }
                        }
                    }
                    classOf[y * ow + x] = classes.computeIfAbsent(mask, m -> classes.size());
                }
            }
            int[] full = new int[classes.size()];
            int[] outside = new int[classes.size() * outChannels];
            int[] example = new int[classes.size()];
            for (int p = classOf.length - 1; p >= 0; p--) {
                example[classOf[p]] = p;
            }
            for (int cl = 0; cl < full.length; cl++) {
                int y = example[cl] / ow;
                int x = example[cl] % ow;
                int valid = 0;
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int iy = y * stride - pad + ky;
                        int ix = x * stride - pad + kx;
                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                            valid++;
                        } else {
                            for (int o = 0; o < outChannels; o++) {
                                outside[cl * outChannels + o] += tapPopcount[o * kh * kw + ky * kw + kx];
                            }
                        }
                    }
                }
                full[cl] = valid * inChannels;
            }
            return new Geometry(oh, ow, classOf, full, outside);
        });
    }

    /** Dot products [n][outChannels][oh][ow] (tests and benchmarks; the engine uses a {@link RowSink}). */
    public int[] apply(PackedBits act) {
        int oh = outHeight(act.h());
        int ow = outWidth(act.w());
        int[] out = new int[act.n() * outChannels * oh * ow];
        apply(act, (b, y, dots) -> {
            for (int x = 0; x < ow; x++) {
                for (int o = 0; o < outChannels; o++) {
                    out[((b * outChannels + o) * oh + y) * ow + x] = dots[x * outChannels + o];
                }
            }
        });
        return out;
    }

    /** Computes every output row of packed activations and hands each to {@code sink}, rows in parallel. */
    public void apply(PackedBits act, RowSink sink) {
        if (act.c() != inChannels) {
            throw new IllegalArgumentException("packed activations have " + act.c() + " channels, the convolution "
                    + inChannels);
        }
        Geometry g = geometry(act.h(), act.w());
        IntStream.range(0, act.n() * g.oh()).parallel().forEach(job -> row(act, g, job / g.oh(), job % g.oh(), sink));
    }

    private void row(PackedBits act, Geometry g, int b, int y, RowSink sink) {
        int ow = g.ow();
        int h = act.h();
        int w = act.w();
        int cw = act.wordsPerPixel();
        long[] in = act.words();
        long[] col = new long[ow * words];
        for (int x = 0; x < ow; x++) {
            for (int ky = 0; ky < kh; ky++) {
                int iy = y * stride - pad + ky;
                if (iy < 0 || iy >= h) {
                    continue;
                }
                for (int kx = 0; kx < kw; kx++) {
                    int ix = x * stride - pad + kx;
                    if (ix >= 0 && ix < w) {
                        orBits(in, ((b * h + iy) * w + ix) * cw, cw, col, x * words, (ky * kw + kx) * inChannels);
                    }
                }
            }
        }
        int[] dots = new int[ow * outChannels];
        popcounts.popcounts(col, ow, weights, outChannels, words, dots);
        for (int x = 0; x < ow; x++) {
            int cl = g.classOf()[y * ow + x];
            int full = g.full()[cl];
            int base = cl * outChannels;
            for (int o = 0; o < outChannels; o++) {
                dots[x * outChannels + o] = full - 2 * (dots[x * outChannels + o] - g.outside()[base + o]);
            }
        }
        sink.row(b, y, dots);
    }

    /**
     * ORs {@code n} words of {@code src} into the bit string starting at word {@code dstWord} of {@code dst}, at bit
     * {@code bit} of it. The source's unused tail bits are 0, so what spills past the row is 0 and is dropped.
     */
    private void orBits(long[] src, int from, int n, long[] dst, int dstWord, int bit) {
        int q = dstWord + (bit >>> 6);
        int r = bit & 63;
        int end = dstWord + words;
        if (r == 0) {
            for (int j = 0; j < n; j++) {
                dst[q + j] |= src[from + j];
            }
            return;
        }
        for (int j = 0; j < n; j++) {
            long v = src[from + j];
            dst[q + j] |= v << r;
            if (q + j + 1 < end) {
                dst[q + j + 1] |= v >>> (64 - r);
            }
        }
    }
}
