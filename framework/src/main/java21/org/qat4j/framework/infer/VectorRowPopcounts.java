package org.qat4j.framework.infer;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowPopcounts} with the Vector API: XOR and lane-wise {@code BIT_COUNT} over as many longs as the CPU's
 * preferred vector holds (4 with AVX2, where the JIT emulates the count with table lookups; 8 with AVX-512
 * VPOPCNTDQ, one instruction), two pixels by two output channels per pass; the words past the last full vector
 * are counted with {@code Long.bitCount}. Compiled for Java 21 and loaded by {@link RowPopcounts#best()} only when
 * the incubator module is present.
 */
public final class VectorRowPopcounts implements RowPopcounts {

    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;

    @Override
    public void popcounts(long[] col, int pixels, long[] weights, int outChannels, int words, int[] out) {
        int full = S.loopBound(words);
        for (int x = 0; x + 2 <= pixels; x += 2) {
            int a0 = x * words;
            int a1 = a0 + words;
            for (int o = 0; o + 2 <= outChannels; o += 2) {
                int w0 = o * words;
                int w1 = w0 + words;
                LongVector p00 = LongVector.zero(S);
                LongVector p01 = p00;
                LongVector p10 = p00;
                LongVector p11 = p00;
                for (int i = 0; i < full; i += S.length()) {
                    LongVector u = LongVector.fromArray(S, col, a0 + i);
                    LongVector v = LongVector.fromArray(S, col, a1 + i);
                    LongVector s = LongVector.fromArray(S, weights, w0 + i);
                    LongVector t = LongVector.fromArray(S, weights, w1 + i);
                    p00 = p00.add(u.lanewise(VectorOperators.XOR, s).lanewise(VectorOperators.BIT_COUNT));
                    p01 = p01.add(u.lanewise(VectorOperators.XOR, t).lanewise(VectorOperators.BIT_COUNT));
                    p10 = p10.add(v.lanewise(VectorOperators.XOR, s).lanewise(VectorOperators.BIT_COUNT));
                    p11 = p11.add(v.lanewise(VectorOperators.XOR, t).lanewise(VectorOperators.BIT_COUNT));
                }
                int q00 = (int) p00.reduceLanes(VectorOperators.ADD);
                int q01 = (int) p01.reduceLanes(VectorOperators.ADD);
                int q10 = (int) p10.reduceLanes(VectorOperators.ADD);
                int q11 = (int) p11.reduceLanes(VectorOperators.ADD);
                for (int i = full; i < words; i++) {
                    long u = col[a0 + i];
                    long v = col[a1 + i];
                    q00 += Long.bitCount(u ^ weights[w0 + i]);
                    q01 += Long.bitCount(u ^ weights[w1 + i]);
                    q10 += Long.bitCount(v ^ weights[w0 + i]);
                    q11 += Long.bitCount(v ^ weights[w1 + i]);
                }
                out[x * outChannels + o] = q00;
                out[x * outChannels + o + 1] = q01;
                out[(x + 1) * outChannels + o] = q10;
                out[(x + 1) * outChannels + o + 1] = q11;
            }
        }
        ScalarRowPopcounts.edges(col, pixels, weights, outChannels, words, out);
    }

    @Override
    public String description() {
        return "Vector API BIT_COUNT, " + S.length() + " lanes";
    }
}
