package org.qat4j.layers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time of the qat4j layers goes, when switched on ({@code qat4j train --profile}): wall time per layer
 * and phase (forward, backward, and the quantizers' share of each). Off by default; when off it costs one branch.
 */
public final class Profiler {

    public static final String FORWARD = "forward";
    public static final String BACKWARD = "backward";
    public static final String QUANTIZE = "quantize";
    public static final String QUANTIZE_BACKWARD = "quantize-bp";

    private static volatile boolean enabled;
    private static final Map<String, Map<String, LongAdder>> TIMES = Collections.synchronizedMap(new LinkedHashMap<>());

    private Profiler() {
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** A start time, or 0 when profiling is off. */
    public static long start() {
        return enabled ? System.nanoTime() : 0;
    }

    public static void stop(String layer, String phase, long start) {
        if (start != 0) {
            TIMES.computeIfAbsent(layer, k -> new ConcurrentHashMap<>()).computeIfAbsent(phase, k -> new LongAdder())
                    .add(System.nanoTime() - start);
        }
    }

    /** Nanoseconds per layer and phase since the last reset, layers in first-seen order. */
    public static Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        synchronized (TIMES) {
            TIMES.forEach((layer, phases) -> {
                Map<String, Long> p = new LinkedHashMap<>();
                phases.forEach((k, v) -> p.put(k, v.sum()));
                out.put(layer, p);
            });
        }
        return out;
    }

    public static void reset() {
        TIMES.clear();
    }
}
