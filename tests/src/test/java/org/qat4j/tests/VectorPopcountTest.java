package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.qat4j.framework.infer.RowPopcounts;
import org.qat4j.framework.infer.ScalarRowPopcounts;

/**
 * The Vector API popcount loop gives the scalar loop's counts: a JDK >= 21 process (Temurin 25 where installed, or
 * {@code -Dqat4j.jdk21=DIR}) with {@code jdk.incubator.vector} runs {@link #main} over rows of every word count from
 * 1 to 40 and odd and even numbers of pixels and channels. Skipped where no such JDK is installed.
 */
class VectorPopcountTest {

    @Test
    void theVectorLoopCountsAsTheScalarOneDoes() throws Exception {
        Path java = Path.of(System.getProperty("qat4j.jdk21", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java");
        Assumptions.assumeTrue(Files.isExecutable(java), "no JDK >= 21 at " + java);
        Process p = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), VectorPopcountTest.class.getName())).redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the check did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Vector API BIT_COUNT") && out.contains("equal"), out);
    }

    /** Compares {@link RowPopcounts#best()} with the scalar loop; exit status 1 on the first difference. */
    public static void main(String[] args) {
        RowPopcounts best = RowPopcounts.best();
        RowPopcounts scalar = new ScalarRowPopcounts();
        Random r = new Random(11);
        for (int words = 1; words <= 40; words++) {
            for (int pixels : new int[] {1, 2, 7, 28}) {
                for (int channels : new int[] {1, 3, 32}) {
                    long[] col = r.longs((long) pixels * words).toArray();
                    long[] weights = r.longs((long) channels * words).toArray();
                    int[] a = new int[pixels * channels];
                    int[] b = new int[pixels * channels];
                    best.popcounts(col, pixels, weights, channels, words, a);
                    scalar.popcounts(col, pixels, weights, channels, words, b);
                    if (!Arrays.equals(a, b)) {
                        System.out.println(best.description() + " differs at words " + words + ", pixels " + pixels
                                + ", channels " + channels);
                        System.exit(1);
                    }
                }
            }
        }
        System.out.println(best.description() + ": equal");
    }
}
