package org.qat4j.framework.infer;

import java.util.Arrays;

/**
 * A packed binary convolution with the element-wise operations that only it feeds, fused into its epilogue, per
 * output channel c of each output row:
 * <pre>
 *   y = dot * a_c                                    (the binary convolution, exact integer dot)
 *   SCALE_SHIFT   y = y * scale_c;  y = y + shift_c  (batch norm folded)
 *   ADD           y = y + r                          (the residual input, same shape)
 *   RPRELU        t = y + s_in_c;  y = t + min(t, 0) * (slope_c - 1);  y = y + s_out_c
 *   each sign quantizer q reading the result:  bit = (y + shift_q,c < 0)
 * </pre>
 * Each product and sum is rounded to float in the order the ND4J operations of the layers use, so the result, and
 * every sign taken of it, equals DL4J's. Values are kept as floats only where another operation reads them.
 * Indices are the engine's value indices.
 */
record FusedBinaryBlock(PackedBinaryConv kernel, int input, float[] alpha, Stage[] stages, float[][][] params,
        int addend, int output, boolean keepFloats, int[] packs, float[][] shifts) {

    /** Element-wise operations fused into the epilogue, in order. */
    enum Stage { SCALE_SHIFT, ADD, RPRELU }

    /** Computes the block from {@code values[input]}'s bits into {@code values[output]} and the packed signs. */
    void run(Value[] values) {
        PackedBits in = values[input].bits();
        int n = in.n();
        int o = kernel.outChannels();
        int oh = kernel.outHeight(in.h());
        int ow = kernel.outWidth(in.w());
        int[] shape = {n, o, oh, ow};
        float[] out = new float[n * o * oh * ow];
        float[] add = null;
        if (addend >= 0) {
            add = values[addend].heap();
            if (!Arrays.equals(values[addend].shape(), shape)) {
                throw new IllegalArgumentException("residual add of " + Arrays.toString(values[addend].shape())
                        + " to " + Arrays.toString(shape));
            }
        }
        int cw = PackedBits.wordsFor(o);
        long[][] packed = new long[packs.length][n * oh * ow * cw];
        float[] addIn = add;
        kernel.apply(in, (b, y, dots) -> epilogue(b, y, dots, o, oh, ow, out, addIn, packed));
        if (keepFloats) {
            Value result = new Value();
            result.heap = out;
            result.shape = shape;
            values[output] = result;
        }
        for (int q = 0; q < packs.length; q++) {
            Value bits = new Value();
            bits.bits = new PackedBits(packed[q], n, o, oh, ow);
            values[packs[q]] = bits;
        }
    }

    /** One output row: each channel's ow values through the stages in place, then packed. */
    private void epilogue(int b, int y, int[] dots, int o, int oh, int ow, float[] out, float[] add,
            long[][] packed) {
        int cw = PackedBits.wordsFor(o);
        long[][] word = new long[packs.length][ow * cw];
        for (int c = 0; c < o; c++) {
            int at = ((b * o + c) * oh + y) * ow;
            float a = alpha[c];
            for (int x = 0; x < ow; x++) {
                out[at + x] = dots[x * o + c] * a;
            }
            for (int s = 0; s < stages.length; s++) {
                float[][] p = params[s];
                switch (stages[s]) {
                    case SCALE_SHIFT -> {
                        float scale = p[0][c];
                        float shift = p[1][c];
                        for (int x = at; x < at + ow; x++) {
                            float v = out[x] * scale;
                            out[x] = v + shift;
                        }
                    }
                    case ADD -> {
                        for (int x = at; x < at + ow; x++) {
                            out[x] += add[x];
                        }
                    }
                    case RPRELU -> {
                        float shiftIn = p[0][c];
                        float slopeMinusOne = p[1][c];
                        float shiftOut = p[2][c];
                        for (int x = at; x < at + ow; x++) {
                            float t = out[x] + shiftIn;
                            float v = t + Math.min(t, 0f) * slopeMinusOne;
                            out[x] = v + shiftOut;
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            }
            int w = c >>> 6;
            for (int q = 0; q < packs.length; q++) {
                float shift = shifts[q][c];
                long[] words = word[q];
                for (int x = 0; x < ow; x++) {
                    words[x * cw + w] |= PackedBits.negative(out[at + x] + shift) << (c & 63);
                }
            }
        }
        for (int q = 0; q < packs.length; q++) {
            System.arraycopy(word[q], 0, packed[q], (b * oh + y) * ow * cw, ow * cw);
        }
    }
}
