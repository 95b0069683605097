package org.qat4j.framework.metrics;

import java.util.List;
import java.util.Locale;

/**
 * How often a classifier predicts each class on a set of images (counts[i] for class i, named classNames[i]), and
 * the entropy of that distribution in bits, {@code H = -sum_i p_i log2 p_i} with {@code p_i = counts[i] / total}
 * (0 log 0 = 0): log2(10) = 3.32 bits when generated Fashion-MNIST samples cover the ten classes evenly, 0 when they
 * all look like one class (mode collapse).
 */
public record LabelHistogram(List<String> classNames, long[] counts) {

    public LabelHistogram {
        classNames = List.copyOf(classNames);
        counts = counts.clone();
        if (counts.length != classNames.size()) {
            throw new IllegalArgumentException("label histogram: " + counts.length + " counts for "
                    + classNames.size() + " classes");
        }
    }

    /** The histogram of predicted labels, each in 0..classNames.size()-1. */
    public static LabelHistogram of(int[] labels, List<String> classNames) {
        long[] counts = new long[classNames.size()];
        for (int label : labels) {
            if (label < 0 || label >= counts.length) {
                throw new IllegalArgumentException("label histogram: label " + label + " is not a class 0.."
                        + (counts.length - 1));
            }
            counts[label]++;
        }
        return new LabelHistogram(classNames, counts);
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** Entropy of the predicted-class distribution in bits; 0 for an empty histogram. */
    public double entropyBits() {
        long total = total();
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        return h;
    }

    /** "T-shirt/top 12.0%, Trouser 9.5%, ..." in class order. */
    public String describe() {
        long total = Math.max(total(), 1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            b.append(i == 0 ? "" : ", ").append(classNames.get(i))
                    .append(String.format(Locale.ROOT, " %.1f%%", 100.0 * counts[i] / total));
        }
        return b.toString();
    }
}
