package org.qat4j.framework.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** The engine's average pooling gives libnd4j's {@code avgpool2d} bit for bit. */
class JavaAvgPoolTest {

    @ParameterizedTest(name = "{0}x{1} stride {2} on {3}x{4}")
    @CsvSource({"2, 2, 2, 28, 28", "2, 2, 1, 7, 9", "4, 2, 2, 12, 10", "1, 2, 1, 5, 5"})
    void equalsTheNativeOp(int kh, int kw, int s, int h, int w) {
        Nd4j.getRandom().setSeed(kh * 100 + kw * 10 + s);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 5, h, w).muli(7);
        DynamicCustomOp op = DynamicCustomOp.builder("avgpool2d").addInputs(x)
                .addIntegerArguments(kh, kw, s, s, 0, 0, 1, 1, 0, 0, 0).build();
        INDArray expected = Nd4j.createUninitialized(DataType.FLOAT, op.calculateOutputShape().get(0).getShape());
        op.addOutputArgument(expected);
        Nd4j.exec(op);
        JavaAvgPool pool = new JavaAvgPool(new int[] {kh, kw}, new int[] {s, s});
        int[] shape = {3, 5, h, w};
        assertArrayEquals(new int[] {3, 5, (int) expected.size(2), (int) expected.size(3)}, pool.outShape(shape));
        float[] got = pool.apply(x.data().asFloat(), shape);
        float[] want = expected.data().asFloat();
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "value " + i);
        }
    }
}
