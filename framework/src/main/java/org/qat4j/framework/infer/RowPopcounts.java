package org.qat4j.framework.infer;

/**
 * The inner loop of the packed binary convolution, for the pixels of one output row:
 * <pre>
 *   out[x * O + o] = sum_i popcount(col[x * words + i] XOR weights[o * words + i])
 * </pre>
 * {@link ScalarRowPopcounts} runs it with {@code Long.bitCount} (a CPU instruction), two pixels by two channels per
 * pass; {@code VectorRowPopcounts} with the Vector API's lane-wise {@code BIT_COUNT}, which needs JDK 21 or newer
 * started with {@code --add-modules jdk.incubator.vector} and is built only where such a JDK is installed
 * (BENCHMARKS.md). {@link #best()} picks the vector one when it can run, unless the system property
 * {@code qat4j.popcount=scalar} asks for the scalar one.
 */
public interface RowPopcounts {

    void popcounts(long[] col, int pixels, long[] weights, int outChannels, int words, int[] out);

    /** What runs, for logs and benchmark output. */
    String description();

    static RowPopcounts best() {
        if (!"scalar".equals(System.getProperty("qat4j.popcount")) && Runtime.version().feature() >= 21
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (RowPopcounts) Class.forName("org.qat4j.framework.infer.VectorRowPopcounts")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarRowPopcounts();
            }
        }
        return new ScalarRowPopcounts();
    }
}
