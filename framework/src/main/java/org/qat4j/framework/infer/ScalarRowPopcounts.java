package org.qat4j.framework.infer;

/**
 * {@link RowPopcounts} with {@code Long.bitCount}: two pixels by two output channels per pass over the words, so
 * each loaded word serves two popcounts (larger tiles measured no faster: BENCHMARKS.md).
 */
public final class ScalarRowPopcounts implements RowPopcounts {

    @Override
    public void popcounts(long[] col, int pixels, long[] weights, int outChannels, int words, int[] out) {
        for (int x = 0; x + 2 <= pixels; x += 2) {
            int a0 = x * words;
            int a1 = a0 + words;
            for (int o = 0; o + 2 <= outChannels; o += 2) {
                int w0 = o * words;
                int w1 = w0 + words;
                int p00 = 0;
                int p01 = 0;
                int p10 = 0;
                int p11 = 0;
                for (int i = 0; i < words; i++) {
                    long u = col[a0 + i];
                    long v = col[a1 + i];
                    long s = weights[w0 + i];
                    long t = weights[w1 + i];
                    p00 += Long.bitCount(u ^ s);
                    p01 += Long.bitCount(u ^ t);
                    p10 += Long.bitCount(v ^ s);
                    p11 += Long.bitCount(v ^ t);
                }
                out[x * outChannels + o] = p00;
                out[x * outChannels + o + 1] = p01;
                out[(x + 1) * outChannels + o] = p10;
                out[(x + 1) * outChannels + o + 1] = p11;
            }
        }
        edges(col, pixels, weights, outChannels, words, out);
    }

    /**
     * What 2x2 tiles leave: the last output channel when their number is odd, the last pixel when theirs is;
     * shared with the vector loop.
     */
    static void edges(long[] col, int pixels, long[] weights, int outChannels, int words, int[] out) {
        int evenPixels = pixels & ~1;
        int evenChannels = outChannels & ~1;
        if (evenChannels < outChannels) {
            for (int x = 0; x < evenPixels; x++) {
                out[x * outChannels + evenChannels] = popcount(col, x * words, weights, evenChannels * words, words);
            }
        }
        if (evenPixels < pixels) {
            for (int o = 0; o < outChannels; o++) {
                out[evenPixels * outChannels + o] = popcount(col, evenPixels * words, weights, o * words, words);
            }
        }
    }

    private static int popcount(long[] col, int a, long[] weights, int w, int words) {
        int pc = 0;
        for (int i = 0; i < words; i++) {
            pc += Long.bitCount(col[a + i] ^ weights[w + i]);
        }
        return pc;
    }

    @Override
    public String description() {
        return "scalar Long.bitCount";
    }
}
