package org.qat4j.framework.train;

import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.qat4j.layers.Profiler;

/**
 * Where a training step's time goes ({@code --profile}): data loading; the teacher's forward pass when the run
 * distils; forward and backward, split into each qat4j
 * layer (with its quantizers' share) and DL4J's own layers with the loss; the updater and parameter step; the
 * constraints and listeners DL4J runs after it; the trainer's own checks. The step is cut with a listener that must
 * come first in the network's list: DL4J calls {@code onGradientCalculation} between backward and updater and
 * {@code iterationDone} after the parameter step.
 */
final class ProfileReport {

    private final Clock clock = new Clock();
    private long dataNanos;
    private long teacherNanos;
    private long gradientNanos;
    private long updateNanos;
    private long afterNanos;
    private long checkNanos;
    private int iterations;

    /** The listener that marks the phases inside {@code fit}. */
    BaseTrainingListener clock() {
        return clock;
    }

    void reset() {
        dataNanos = 0;
        teacherNanos = 0;
        gradientNanos = 0;
        updateNanos = 0;
        afterNanos = 0;
        checkNanos = 0;
        iterations = 0;
        Profiler.reset();
    }

    /**
     * One step: its start, the end of data loading, the start and end of {@code fit} (the teacher runs in between),
     * and the end of the trainer's checks.
     */
    void add(long start, long dataEnd, long fitStart, long fitEnd, long end) {
        long gradient = clock.gradient > fitStart ? clock.gradient : fitEnd;
        long done = clock.done >= gradient && clock.done <= fitEnd ? clock.done : fitEnd;
        dataNanos += dataEnd - start;
        teacherNanos += fitStart - dataEnd;
        gradientNanos += gradient - fitStart;
        updateNanos += done - gradient;
        afterNanos += fitEnd - done;
        checkNanos += end - fitEnd;
        iterations++;
    }

    String render(String title) {
        int n = Math.max(1, iterations);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "profile, %s (ms per iteration over %d iterations):%n", title, iterations));
        line(b, "  ", "data loading", dataNanos, n);
        if (teacherNanos > 0) {
            line(b, "  ", "teacher forward (distillation)", teacherNanos, n);
        }
        line(b, "  ", "forward and backward", gradientNanos, n);
        b.append(String.format(Locale.ROOT, "    %-32s %9s %9s %9s %11s%n", "qat4j layer", "forward", "backward",
                "quantize", "quantize-bp"));
        long ours = 0;
        for (Map.Entry<String, Map<String, Long>> e : Profiler.snapshot().entrySet()) {
            Map<String, Long> t = e.getValue();
            long f = t.getOrDefault(Profiler.FORWARD, 0L);
            long bw = t.getOrDefault(Profiler.BACKWARD, 0L);
            ours += f + bw;
            b.append(String.format(Locale.ROOT, "    %-32s %9.2f %9.2f %9.2f %11.2f%n", e.getKey(), ms(f, n),
                    ms(bw, n), ms(t.getOrDefault(Profiler.QUANTIZE, 0L), n),
                    ms(t.getOrDefault(Profiler.QUANTIZE_BACKWARD, 0L), n)));
        }
        line(b, "    ", "DL4J layers, vertices and loss", Math.max(0, gradientNanos - ours), n);
        line(b, "  ", "updater and parameter step", updateNanos, n);
        line(b, "  ", "constraints and listeners", afterNanos, n);
        line(b, "  ", "trainer checks and metrics", checkNanos, n);
        return b.toString();
    }

    private static void line(StringBuilder b, String indent, String what, long nanos, int n) {
        b.append(String.format(Locale.ROOT, "%s%-" + (36 - indent.length()) + "s %9.2f%n", indent, what,
                ms(nanos, n)));
    }

    private static double ms(long nanos, int n) {
        return nanos / 1e6 / n;
    }

    private static final class Clock extends BaseTrainingListener {

        private long gradient;
        private long done;

        @Override
        public void onGradientCalculation(Model model) {
            gradient = System.nanoTime();
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            done = System.nanoTime();
        }
    }
}
