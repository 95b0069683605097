package org.qat4j.framework.train;

import java.util.Locale;
import java.util.Map;
import org.qat4j.layers.Profiler;

/**
 * Where a training step's time goes ({@code --profile}): data loading, the whole {@code fit} step, and within it
 * each qat4j layer's forward and backward time with its quantizers' share; the rest of the step is DL4J's own
 * layers, the loss and the updater.
 */
final class ProfileReport {

    private long dataNanos;
    private long fitNanos;
    private int iterations;

    void reset() {
        dataNanos = 0;
        fitNanos = 0;
        iterations = 0;
        Profiler.reset();
    }

    void add(long data, long fit) {
        dataNanos += data;
        fitNanos += fit;
        iterations++;
    }

    String render(String title) {
        int n = Math.max(1, iterations);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "profile, %s (ms per iteration over %d iterations):%n", title, iterations));
        b.append(String.format(Locale.ROOT, "  %-34s %9.2f%n", "data loading", ms(dataNanos, n)));
        b.append(String.format(Locale.ROOT, "  %-34s %9.2f%n", "fit step (forward, backward, update)",
                ms(fitNanos, n)));
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
        b.append(String.format(Locale.ROOT, "  %-34s %9.2f%n", "DL4J layers, loss and updater",
                ms(Math.max(0, fitNanos - ours), n)));
        return b.toString();
    }

    private static double ms(long nanos, int n) {
        return nanos / 1e6 / n;
    }
}
