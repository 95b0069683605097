package org.qat4j.framework.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.framework.data.FashionMnist;

class LabelHistogramTest {

    private static final List<String> CLASSES = List.of(FashionMnist.CLASSES);

    @Test
    void countsAndEntropyInBits() {
        LabelHistogram h = LabelHistogram.of(new int[] {3, 0, 3, 9, 3}, CLASSES);
        assertArrayEquals(new long[] {1, 0, 0, 3, 0, 0, 0, 0, 0, 1}, h.counts());
        assertEquals(5, h.total());
        double expected = -(0.2 * Math.log(0.2) * 2 + 0.6 * Math.log(0.6)) / Math.log(2);
        assertEquals(expected, h.entropyBits(), 1e-12);
        int[] even = new int[1000];
        for (int i = 0; i < even.length; i++) {
            even[i] = i % 10;
        }
        assertEquals(Math.log(10) / Math.log(2), LabelHistogram.of(even, CLASSES).entropyBits(), 1e-12);
        assertEquals(0, LabelHistogram.of(new int[] {7, 7, 7}, CLASSES).entropyBits());
        assertEquals(1, LabelHistogram.of(new int[] {1, 8}, CLASSES).entropyBits(), 1e-12);
        assertTrue(h.describe().startsWith("T-shirt/top 20.0%, Trouser 0.0%, Pullover 0.0%, Dress 60.0%"),
                h.describe());
    }

    @Test
    void labelsOutsideTheClassesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelHistogram.of(new int[] {1, 10}, CLASSES));
        assertEquals("label histogram: label 10 is not a class 0..9", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LabelHistogram(CLASSES, new long[3]));
        assertEquals("label histogram: 3 counts for 10 classes", e.getMessage());
    }
}
