package org.qat4j.framework.recipe;

import java.util.Locale;

/**
 * A model's score on its recipe's test set: the metric the run reports after every epoch and keeps the best
 * checkpoint by (test accuracy for classifiers, the denoising loss for diffusion models), and the line that reports
 * it, which may add further figures (an F1 score).
 *
 * @param metric         what {@code value} is, e.g. {@code test accuracy}
 * @param value          the metric's value
 * @param higherIsBetter whether a higher value is a better model
 * @param summary        the report, e.g. {@code test accuracy 0.9712, test F1 0.9537 (spam)}
 */
public record TestScore(String metric, double value, boolean higherIsBetter, String summary) {

    public static final String ACCURACY = "test accuracy";

    /** A score whose report is {@code metric value}, with four decimals. */
    public static TestScore of(String metric, double value, boolean higherIsBetter) {
        return new TestScore(metric, value, higherIsBetter, String.format(Locale.ROOT, "%s %.4f", metric, value));
    }

    /** Whether {@code candidate} beats {@code best} for a metric in this direction; anything beats NaN. */
    public static boolean better(double candidate, double best, boolean higherIsBetter) {
        return Double.isNaN(best) || (higherIsBetter ? candidate > best : candidate < best);
    }
}
