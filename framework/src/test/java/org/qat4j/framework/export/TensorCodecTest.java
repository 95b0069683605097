package org.qat4j.framework.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;
import org.junit.jupiter.api.Test;

/** Every encoding gives back the exact float bits, and the smallest one is chosen. */
class TensorCodecTest {

    private static float[] roundTrip(float[] v, int rows, String expected) {
        TensorCodec.Encoded e = TensorCodec.encode(v, rows);
        assertEquals(expected, e.encoding());
        float[] back = TensorCodec.decode(e.encoding(), e.bits(), e.palette(), ByteBuffer.wrap(e.bytes()), v.length,
                rows);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]), "value " + i);
        }
        return back;
    }

    @Test
    void binaryRowsWithTheirOwnScaleTakeOneBitEach() {
        Random r = new Random(1);
        int rows = 16;
        int len = 3 * 3 * 70;
        float[] v = new float[rows * len];
        for (int i = 0; i < v.length; i++) {
            float a = 0.01f * (1 + i / len);
            v[i] = r.nextBoolean() ? a : -a;
        }
        roundTrip(v, rows, "sign1");
        TensorCodec.Encoded e = TensorCodec.encode(v, rows);
        assertEquals(rows * 4 + rows * TensorCodec.wordsPerRow(len, 1) * 8, e.bytes().length);
        assertTrue(e.bytes().length * 28 < 4 * v.length, "about 32x smaller than floats");
    }

    @Test
    void gridsTakeTheirBits() {
        Random r = new Random(2);
        float[] lsq = new float[8 * 100];
        for (int i = 0; i < lsq.length; i++) {
            lsq[i] = 0.037f * (r.nextInt(16) - 8);
        }
        TensorCodec.Encoded e = TensorCodec.encode(lsq, 8);
        roundTrip(lsq, 8, "palette-tensor");
        assertEquals(4, e.bits(), "a 4-bit grid");
        float[] twoBases = new float[8 * 100];
        for (int i = 0; i < twoBases.length; i++) {
            float a1 = 0.1f * (i / 100 + 1);
            float a2 = 0.03f * (i / 100 + 1);
            twoBases[i] = (r.nextBoolean() ? a1 : -a1) + (r.nextBoolean() ? a2 : -a2);
        }
        assertEquals(2, TensorCodec.encode(twoBases, 8).bits(), "two binary bases: 2 bits per row");
        roundTrip(twoBases, 8, "palette-row");
        float[] ternary = new float[4 * 64];
        for (int i = 0; i < ternary.length; i++) {
            ternary[i] = (r.nextInt(3) - 1) * 0.5f;
        }
        ternary[5] = -0.0f;
        roundTrip(ternary, 4, "palette-tensor");
    }

    /** Low-bit float weights with a scale per output channel, as FpQuantizer makes them, take the format's bits. */
    @Test
    void lowBitFloatRowsTakeTheirCodesAndOneScalePerRow() {
        Random r = new Random(4);
        int rows = 16;
        int len = 3 * 3 * 32;
        INDArray w = Nd4j.randn(r.nextLong(), new long[] {rows, len}).castTo(DataType.FLOAT);
        FpQuantizer byMax = new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, 0);
        float[] e4m3 = byMax.forward(w, new HashMap<>()).data().asFloat();
        roundTrip(e4m3, rows, "fp-e4m3-row");
        TensorCodec.Encoded e = TensorCodec.encode(e4m3, rows);
        assertEquals(rows * 4 + rows * TensorCodec.wordsPerRow(len, 8) * 8, e.bytes().length);
        assertTrue(e.bytes().length * 3.9 < 4 * e4m3.length, "about 4x smaller than floats");

        FpQuantizer learned = new FpQuantizer(FpFormat.E2M1, FpQuantizer.ScaleMode.LEARNED, 0);
        Map<String, INDArray> params = new HashMap<>();
        params.put(FpQuantizer.SCALE, Nd4j.rand(DataType.FLOAT, rows, 1).addi(0.05));
        params.put(Params.INITIALISED, Nd4j.ones(DataType.FLOAT, 1));
        float[] e2m1 = learned.forward(w, params).data().asFloat();
        roundTrip(e2m1, rows, "fp-e2m1-row");

        float[] withNan = e4m3.clone();
        TensorCodec.Encoded ok = TensorCodec.encode(withNan, rows);
        byte[] bad = ok.bytes().clone();
        bad[rows * 4] = 0x7F;
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode(ok.encoding(), ok.bits(), ok.palette(),
                ByteBuffer.wrap(bad), withNan.length, rows), "a NaN code");
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode(ok.encoding(), 4, 0,
                ByteBuffer.wrap(ok.bytes()), withNan.length, rows), "bits that are not the format's");
    }

    @Test
    void realValuesStayFloats() {
        Random r = new Random(3);
        float[] v = new float[300];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        roundTrip(v, 3, "f32");
        roundTrip(new float[] {1.5f}, 1, "f32");
    }

    @Test
    void damagedEncodingsAreRefused() {
        float[] v = {1, -1, 1, -1};
        TensorCodec.Encoded e = TensorCodec.encode(v, 2);
        byte[] cut = java.util.Arrays.copyOf(e.bytes(), e.bytes().length - 1);
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode(e.encoding(), e.bits(), e.palette(),
                ByteBuffer.wrap(cut), 4, 2));
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode("zip", 1, 0, ByteBuffer.wrap(e.bytes()),
                4, 2));
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode("palette-tensor", 9, 2,
                ByteBuffer.wrap(e.bytes()), 4, 2));
        float[] three = {0, 1, 2, 0, 1, 2};
        TensorCodec.Encoded p = TensorCodec.encode(three, 1);
        byte[] bad = p.bytes().clone();
        bad[bad.length - 8] = (byte) 0xFF;
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode(p.encoding(), p.bits(), p.palette(),
                ByteBuffer.wrap(bad), 6, 1), "an index outside the palette");
        assertArrayEquals(three, TensorCodec.decode(p.encoding(), p.bits(), p.palette(), ByteBuffer.wrap(p.bytes()), 6,
                1));
    }
}
