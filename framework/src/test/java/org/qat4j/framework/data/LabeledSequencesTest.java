package org.qat4j.framework.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

class LabeledSequencesTest {

    private static LabeledSequences three() {
        int[][] tokens = {{2, 7, 9, 0, 0}, {2, 5, 5, 5, 5}, {2, 0, 0, 0, 0}};
        return LabeledSequences.of(tokens, new int[] {1, 0, 1}, List.of("ham", "spam"), "messages", "abc");
    }

    @Test
    void lengthsAreWhereThePaddingBegins() {
        LabeledSequences s = three();
        assertArrayEquals(new int[] {3, 5, 1}, s.lengths());
        assertEquals(5, s.length());
        assertEquals(3, s.size());
        assertEquals(2, s.classes());
        assertEquals("messages", s.unit());
    }

    @Test
    void batchHoldsIdsOneHotLabelsAndThePaddingMask() {
        DataSet b = three().batch(new int[] {2, 0});
        assertArrayEquals(new long[] {2, 5}, b.getFeatures().shape());
        assertEquals(DataType.FLOAT, b.getFeatures().dataType());
        assertArrayEquals(new float[] {2, 0, 0, 0, 0, 2, 7, 9, 0, 0}, b.getFeatures().data().asFloat());
        assertArrayEquals(new long[] {2, 2}, b.getLabels().shape());
        assertArrayEquals(new float[] {0, 1, 0, 1}, b.getLabels().data().asFloat());
        assertArrayEquals(new long[] {2, 5}, b.getFeaturesMaskArray().shape());
        assertEquals(DataType.FLOAT, b.getFeaturesMaskArray().dataType());
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 1, 1, 0, 0}, b.getFeaturesMaskArray().data().asFloat());
        assertEquals(null, b.getLabelsMaskArray());
    }

    @Test
    void limitKeepsAPrefixAndSaysSoInTheFingerprint() {
        LabeledSequences s = three();
        LabeledSequences two = s.limit(2);
        assertEquals(2, two.size());
        assertEquals("abc first 2", two.fingerprint());
        assertArrayEquals(new int[] {3, 5}, two.lengths());
        assertSame(s, s.limit(0));
        assertSame(s, s.limit(3));
    }

    @Test
    void inconsistentInputIsRefused() {
        List<String> classes = List.of("ham", "spam");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabeledSequences.of(new int[][] {{2, 0, 4}}, new int[] {0}, classes, "messages", "x"));
        assertTrue(e.getMessage().contains("after padding began at 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LabeledSequences.of(new int[][] {{2, 3}, {2}}, new int[] {0, 1}, classes, "messages", "x"));
        assertTrue(e.getMessage().contains("sequence 1 has 1 positions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LabeledSequences.of(new int[][] {{2, 3}}, new int[] {2}, classes, "messages", "x"));
        assertTrue(e.getMessage().contains("label 2 is not a class 0..1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LabeledSequences.of(new int[][] {{0, 0}}, new int[] {0}, classes, "messages", "x"));
        assertTrue(e.getMessage().contains("length 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LabeledSequences.of(new int[][] {{2, 3}}, new int[] {0, 1}, classes, "messages", "x"));
        assertTrue(e.getMessage().contains("1 sequences, 1 lengths and 2 labels"), e.getMessage());
    }
}
