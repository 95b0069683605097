package org.qat4j.framework.data;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token sequences with class labels: token ids [N][L] (each row starts with [CLS] and ends in [PAD] = 0 padding),
 * the number of real tokens of each row, int labels, the class names (label i names class i), what an example is
 * called, and a content fingerprint (for SpamAssassin, {@link SpamAssassin#encode}: the SHA-256 of the messages,
 * their labels, the tokenizer's vocabulary and the token ids, with the example count when the set is a prefix).
 * A batch holds the ids as FLOAT features [b, L], one-hot labels [b, classes] and a features mask [b, L] that is 1
 * on real tokens and 0 on padding.
 */
public record LabeledSequences(int[][] tokens, int[] lengths, int[] labels, List<String> classNames, String unit,
        String fingerprint) implements LabeledExamples {

    public LabeledSequences {
        classNames = List.copyOf(classNames);
        if (tokens.length != labels.length || lengths.length != labels.length) {
            throw new IllegalArgumentException(tokens.length + " sequences, " + lengths.length + " lengths and "
                    + labels.length + " labels");
        }
        int length = tokens.length == 0 ? 0 : tokens[0].length;
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].length != length) {
                throw new IllegalArgumentException("sequence " + i + " has " + tokens[i].length + " positions, "
                        + "sequence 0 has " + length);
            }
            if (lengths[i] < 1 || lengths[i] > length) {
                throw new IllegalArgumentException("sequence " + i + ": length " + lengths[i] + " outside 1.."
                        + length);
            }
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("sequence " + i + ": label " + labels[i] + " is not a class 0.."
                        + (classNames.size() - 1));
            }
        }
    }

    /** Sequences padded with [PAD] = 0; a row's length is the position of its first [PAD]. */
    public static LabeledSequences of(int[][] tokens, int[] labels, List<String> classNames, String unit,
            String fingerprint) {
        int[] lengths = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            int n = 0;
            while (n < tokens[i].length && tokens[i][n] != WordPieceTokenizer.PAD) {
                n++;
            }
            for (int k = n; k < tokens[i].length; k++) {
                if (tokens[i][k] != WordPieceTokenizer.PAD) {
                    throw new IllegalArgumentException("sequence " + i + ": token " + tokens[i][k] + " at position "
                            + k + " after padding began at " + n);
                }
            }
            lengths[i] = n;
        }
        return new LabeledSequences(tokens, lengths, labels, classNames, unit, fingerprint);
    }

    /** Positions per sequence, L. */
    public int length() {
        return tokens.length == 0 ? 0 : tokens[0].length;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public LabeledSequences limit(int n) {
        if (n <= 0 || n >= size()) {
            return this;
        }
        return new LabeledSequences(Arrays.copyOf(tokens, n), Arrays.copyOf(lengths, n), Arrays.copyOf(labels, n),
                classNames, unit, fingerprint + " first " + n);
    }

    @Override
    public DataSet batch(int[] rows) {
        int b = rows.length;
        int length = length();
        float[] ids = new float[b * length];
        float[] mask = new float[b * length];
        float[] oneHot = new float[b * classes()];
        for (int r = 0; r < b; r++) {
            int row = rows[r];
            for (int k = 0; k < length; k++) {
                ids[r * length + k] = tokens[row][k];
            }
            Arrays.fill(mask, r * length, r * length + lengths[row], 1f);
            oneHot[r * classes() + labels[row]] = 1f;
        }
        return new DataSet(Nd4j.create(ids, new long[] {b, length}, DataType.FLOAT),
                Nd4j.create(oneHot, new long[] {b, classes()}, DataType.FLOAT),
                Nd4j.create(mask, new long[] {b, length}, DataType.FLOAT), null);
    }
}
