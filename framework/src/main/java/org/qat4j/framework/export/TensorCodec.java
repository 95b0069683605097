package org.qat4j.framework.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.qat4j.estimators.fp.FpFormat;

/**
 * Stores a tensor of float values exactly, in the fewest bytes its encodings allow (docs/q4j-format.md). The tensor is
 * seen as {@code rows} rows (its first dimension: output channels) of equal length:
 * <ul>
 *   <li>{@code f32}: the floats;</li>
 *   <li>{@code sign1}: every row holds only {@code -a} and {@code +a} (a binarized weight with its scale): one bit per
 *       value (set = negative), 64 per long, each row starting on a long, and {@code a} per row;</li>
 *   <li>{@code palette-tensor}: at most 256 distinct values in the tensor (a k-bit grid such as LSQ or FP8 with one
 *       scale): a palette of them and a k-bit index per value, k = ceil(log2 palette size);</li>
 *   <li>{@code palette-row}: at most 256 distinct values per row (multi-basis binarization, ternary, per-channel
 *       scales): a palette per row, padded to the longest, and k-bit indices;</li>
 *   <li>{@code fp-e4m3-row}, {@code fp-e5m2-row}, {@code fp-e2m1-row}: every value of row r is
 *       {@code s_r * f} in float arithmetic for a value f of the low-bit float format (what
 *       {@code FpQuantizer} computes with a scale per channel): {@code s_r} per row and the format's 8- or 4-bit
 *       code per value. The codec finds {@code s_r} from the values themselves and keeps the encoding only where
 *       decoding reproduces every value's bits.</li>
 * </ul>
 * Decoding gives back the exact float bits.
 */
public final class TensorCodec {

    /** An encoded tensor: its encoding, index bits, palette length and bytes. */
    public record Encoded(String encoding, int bits, int palette, byte[] bytes) {
    }

    private static final int MAX_PALETTE = 256;

    private TensorCodec() {
    }

    public static Encoded encode(float[] values, int rows) {
        if (rows < 1 || values.length % rows != 0) {
            throw new IllegalArgumentException(values.length + " values do not split into " + rows + " rows");
        }
        int len = values.length / rows;
        Encoded best = f32(values);
        Encoded c = sign1(values, rows, len);
        if (c != null && c.bytes().length < best.bytes().length) {
            best = c;
        }
        c = palette(values, rows, len, false);
        if (c != null && c.bytes().length < best.bytes().length) {
            best = c;
        }
        c = palette(values, rows, len, true);
        if (c != null && c.bytes().length < best.bytes().length) {
            best = c;
        }
        for (FpFormat f : FpFormat.values()) {
            if (wordsPerRow(len, f.bits()) * 8L * rows + 4L * rows < best.bytes().length) {
                c = fpRows(values, rows, len, f);
                if (c != null && c.bytes().length < best.bytes().length) {
                    best = c;
                }
            }
        }
        return best;
    }

    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Encoded f32(float[] v) {
        ByteBuffer b = buffer(4 * v.length);
        for (float f : v) {
            b.putFloat(f);
        }
        return new Encoded("f32", 32, 0, b.array());
    }

    /** Longs per row of {@code len} indices of {@code bits} bits, packed without straddling longs. */
    static int wordsPerRow(int len, int bits) {
        int perWord = 64 / bits;
        return (len + perWord - 1) / perWord;
    }

    private static Encoded sign1(float[] v, int rows, int len) {
        float[] scale = new float[rows];
        for (int r = 0; r < rows; r++) {
            float a = Math.abs(v[r * len]);
            for (int i = 0; i < len; i++) {
                if (Math.abs(v[r * len + i]) != a) {
                    return null;
                }
            }
            if (a == 0) {
                for (int i = 0; i < len; i++) {
                    if (Float.floatToRawIntBits(v[r * len + i]) != 0) {
                        return null;
                    }
                }
            }
            scale[r] = a;
        }
        int words = wordsPerRow(len, 1);
        ByteBuffer b = buffer(rows * 4 + rows * words * 8);
        for (float s : scale) {
            b.putFloat(s);
        }
        for (int r = 0; r < rows; r++) {
            long[] w = new long[words];
            for (int i = 0; i < len; i++) {
                if (v[r * len + i] < 0) {
                    w[i >>> 6] |= 1L << (i & 63);
                }
            }
            for (long x : w) {
                b.putLong(x);
            }
        }
        return new Encoded("sign1", 1, 0, b.array());
    }

    private static Encoded palette(float[] v, int rows, int len, boolean perRow) {
        int groups = perRow ? rows : 1;
        int groupLen = perRow ? len : v.length;
        List<Map<Integer, Integer>> index = new ArrayList<>();
        int size = 1;
        for (int g = 0; g < groups; g++) {
            Map<Integer, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < groupLen; i++) {
                m.putIfAbsent(Float.floatToRawIntBits(v[g * groupLen + i]), m.size());
                if (m.size() > MAX_PALETTE) {
                    return null;
                }
            }
            index.add(m);
            size = Math.max(size, m.size());
        }
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(size - 1));
        int words = wordsPerRow(len, bits);
        ByteBuffer b = buffer(groups * size * 4 + rows * words * 8);
        for (Map<Integer, Integer> m : index) {
            int[] entries = new int[size];
            m.forEach((bitsOf, i) -> entries[i] = bitsOf);
            for (int e : entries) {
                b.putInt(e);
            }
        }
        putCodes(b, rows, len, bits, i -> index.get(perRow ? i / len : 0).get(Float.floatToRawIntBits(v[i])));
        return new Encoded(perRow ? "palette-row" : "palette-tensor", bits, size, b.array());
    }

    private static String fpEncoding(FpFormat f) {
        return "fp-" + f.name().toLowerCase(Locale.ROOT) + "-row";
    }

    /** {@code code}'s value times the row scale, in float arithmetic as the quantizer multiplies. */
    private static float fpValue(FpFormat f, int code, float scale) {
        return (float) f.decode(code) * scale;
    }

    private static Encoded fpRows(float[] v, int rows, int len, FpFormat f) {
        float[] scales = new float[rows];
        int[] codes = new int[v.length];
        for (int r = 0; r < rows; r++) {
            if (!fpRow(v, r * len, len, f, scales, r, codes)) {
                return null;
            }
        }
        int bits = f.bits();
        ByteBuffer b = buffer(rows * 4 + rows * wordsPerRow(len, bits) * 8);
        for (float sc : scales) {
            b.putFloat(sc);
        }
        putCodes(b, rows, len, bits, i -> codes[i]);
        return new Encoded(fpEncoding(f), bits, 0, b.array());
    }

    /**
     * Finds a scale for one row: the row's largest magnitude is {@code s * f} for one of the format's positive
     * values f, so {@code s} is that magnitude divided by f, up to the rounding of the division (the neighbouring
     * floats are tried too); a candidate is kept when every value of the row decodes to its own bits.
     */
    private static boolean fpRow(float[] v, int from, int len, FpFormat f, float[] scales, int row, int[] codes) {
        float max = 0;
        for (int i = from; i < from + len; i++) {
            if (!Float.isFinite(v[i])) {
                return false;
            }
            max = Math.max(max, Math.abs(v[i]));
        }
        if (max == 0) {
            scales[row] = 1f;
            return fits(v, from, len, f, 1f, codes);
        }
        for (int c = (1 << (f.bits() - 1)) - 1; c > 0; c--) {
            double value = f.decode(c);
            if (!Double.isFinite(value)) {
                continue;
            }
            float s = (float) (max / value);
            for (float candidate : new float[] {s, Math.nextUp(s), Math.nextDown(s)}) {
                if (candidate > 0 && Float.isFinite(candidate) && fits(v, from, len, f, candidate, codes)) {
                    scales[row] = candidate;
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean fits(float[] v, int from, int len, FpFormat f, float scale, int[] codes) {
        for (int i = from; i < from + len; i++) {
            int code = f.encode(v[i] / (double) scale);
            if (Float.floatToRawIntBits(fpValue(f, code, scale)) != Float.floatToRawIntBits(v[i])) {
                return false;
            }
            codes[i] = code;
        }
        return true;
    }

    /** The floats of an encoded tensor of {@code count} values in {@code rows} rows. */
    public static float[] decode(String encoding, int bits, int palette, ByteBuffer bytes, int count, int rows) {
        int len = count / rows;
        float[] out = new float[count];
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (encoding) {
            case "f32" -> {
                need(b, 4L * count, encoding);
                for (int i = 0; i < count; i++) {
                    out[i] = b.getFloat();
                }
            }
            case "sign1" -> {
                int words = wordsPerRow(len, 1);
                need(b, rows * 4L + (long) rows * words * 8, encoding);
                float[] scale = new float[rows];
                for (int r = 0; r < rows; r++) {
                    scale[r] = b.getFloat();
                }
                for (int r = 0; r < rows; r++) {
                    long[] w = new long[words];
                    for (int i = 0; i < words; i++) {
                        w[i] = b.getLong();
                    }
                    for (int i = 0; i < len; i++) {
                        out[r * len + i] = (w[i >>> 6] >>> (i & 63) & 1) != 0 ? -scale[r] : scale[r];
                    }
                }
            }
            case "palette-tensor", "palette-row" -> {
                if (bits < 1 || bits > 8 || palette < 1 || palette > 1 << bits) {
                    throw new IllegalArgumentException("palette of " + palette + " entries with " + bits + "-bit indices");
                }
                boolean perRow = encoding.equals("palette-row");
                int groups = perRow ? rows : 1;
                int words = wordsPerRow(len, bits);
                need(b, (long) groups * palette * 4 + (long) rows * words * 8, encoding);
                float[][] pal = new float[groups][palette];
                for (float[] p : pal) {
                    for (int i = 0; i < palette; i++) {
                        p[i] = b.getFloat();
                    }
                }
                int[] codes = getCodes(b, rows, len, bits);
                for (int i = 0; i < count; i++) {
                    if (codes[i] >= palette) {
                        throw new IllegalArgumentException("index " + codes[i] + " outside a palette of " + palette);
                    }
                    out[i] = pal[perRow ? i / len : 0][codes[i]];
                }
            }
            default -> {
                FpFormat f = Arrays.stream(FpFormat.values()).filter(x -> fpEncoding(x).equals(encoding))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown tensor encoding '"
                                + encoding + "'"));
                if (bits != f.bits() || palette != 0) {
                    throw new IllegalArgumentException(encoding + " tensor with " + bits + "-bit codes and a palette of "
                            + palette);
                }
                int words = wordsPerRow(len, bits);
                need(b, rows * 4L + (long) rows * words * 8, encoding);
                float[] scale = new float[rows];
                for (int r = 0; r < rows; r++) {
                    scale[r] = b.getFloat();
                }
                int[] codes = getCodes(b, rows, len, bits);
                for (int i = 0; i < count; i++) {
                    out[i] = fpValue(f, codes[i], scale[i / len]);
                    if (!Float.isFinite(out[i])) {
                        throw new IllegalArgumentException(encoding + " code " + codes[i] + " is not a finite value");
                    }
                }
            }
        }
        return out;
    }

    /** Writes per row {@code bits}-bit codes, {@code floor(64 / bits)} per long from the low bits. */
    private static void putCodes(ByteBuffer b, int rows, int len, int bits, IntUnaryOperator code) {
        int perWord = 64 / bits;
        long[] w = new long[wordsPerRow(len, bits)];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(w, 0L);
            for (int i = 0; i < len; i++) {
                w[i / perWord] |= (long) code.applyAsInt(r * len + i) << (bits * (i % perWord));
            }
            for (long x : w) {
                b.putLong(x);
            }
        }
    }

    /** Reads what {@link #putCodes} wrote. */
    private static int[] getCodes(ByteBuffer b, int rows, int len, int bits) {
        int perWord = 64 / bits;
        long mask = (1L << bits) - 1;
        long[] w = new long[wordsPerRow(len, bits)];
        int[] codes = new int[rows * len];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < w.length; i++) {
                w[i] = b.getLong();
            }
            for (int i = 0; i < len; i++) {
                codes[r * len + i] = (int) (w[i / perWord] >>> (bits * (i % perWord)) & mask);
            }
        }
        return codes;
    }

    private static void need(ByteBuffer b, long bytes, String encoding) {
        if (b.remaining() != bytes) {
            throw new IllegalArgumentException(encoding + " tensor of " + b.remaining() + " bytes, its shape needs "
                    + bytes);
        }
    }
}
