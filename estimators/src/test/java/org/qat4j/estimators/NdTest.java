package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NdTest {

    /** Zeros of both signs and the subnormals next to them are where a sign with sign(0) = +1 can go wrong. */
    @Test
    void signIsPlusOneFromZeroUpInFloatAndDouble() {
        float[] f = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f, 1e-30f, -1e-30f, 3f, -3f,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        double[] d = {0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-310, -1e-310, Float.MIN_VALUE,
            -Float.MIN_VALUE, 3, -3, Double.MAX_VALUE, -Double.MAX_VALUE};
        check(Nd4j.createFromArray(f));
        check(Nd4j.createFromArray(d));
        check(Nd4j.createFromArray(f).castTo(DataType.HALF));
    }

    private static void check(INDArray x) {
        INDArray before = x.dup();
        INDArray s = Nd.sign(x);
        assertEquals(before, x, "sign must not write its input");
        for (int i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            double expected = v > 0 || v == 0 ? 1.0 : -1.0;
            assertEquals(expected, s.getDouble(i), x.dataType() + " sign(" + v + ")");
        }
    }
}
