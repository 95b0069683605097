package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.estimators.TestArrays.assertClose;
import static org.qat4j.estimators.TestArrays.vec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.fp.FlexibleBiasFpQuantizer;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;

class FpFormatTest {

    private final Random rnd = new Random(3);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void everyCodeDecodesAndReencodesToItself() {
        for (FpFormat f : FpFormat.values()) {
            int nan = 0;
            int inf = 0;
            for (int code = 0; code < (1 << f.bits()); code++) {
                double v = f.decode(code);
                if (Double.isNaN(v)) {
                    nan++;
                } else if (Double.isInfinite(v)) {
                    inf++;
                } else {
                    assertEquals(code, f.encode(v), f + " code " + code + " value " + v);
                }
            }
            switch (f) {
                case E4M3 -> {
                    assertEquals(2, nan);
                    assertEquals(0, inf);
                    assertTrue(Double.isNaN(f.decode(0x7F)) && Double.isNaN(f.decode(0xFF)));
                }
                case E5M2 -> {
                    assertEquals(6, nan);
                    assertEquals(2, inf);
                    assertEquals(Double.POSITIVE_INFINITY, f.decode(0x7C));
                    assertEquals(Double.NEGATIVE_INFINITY, f.decode(0xFC));
                }
                case E2M1 -> {
                    assertEquals(0, nan);
                    assertEquals(0, inf);
                }
            }
        }
    }

    @Test
    void extremesAreExact() {
        assertEquals(448.0, FpFormat.E4M3.max());
        assertEquals(Math.pow(2, -6), FpFormat.E4M3.minNormal());
        assertEquals(Math.pow(2, -9), FpFormat.E4M3.minSubnormal());
        assertEquals(Math.pow(2, -9), FpFormat.E4M3.decode(0x01));
        assertEquals(448.0, FpFormat.E4M3.decode(0x7E));
        assertEquals(57344.0, FpFormat.E5M2.max());
        assertEquals(57344.0, FpFormat.E5M2.decode(0x7B));
        assertEquals(Math.pow(2, -14), FpFormat.E5M2.minNormal());
        assertEquals(Math.pow(2, -16), FpFormat.E5M2.decode(0x01));
        assertEquals(6.0, FpFormat.E2M1.max());
        assertEquals(1.0, FpFormat.E2M1.minNormal());
        assertEquals(0.5, FpFormat.E2M1.minSubnormal());
        double[] e2m1 = new double[8];
        for (int c = 0; c < 8; c++) {
            e2m1[c] = FpFormat.E2M1.decode(c);
        }
        assertTrue(java.util.Arrays.equals(new double[] {0, 0.5, 1, 1.5, 2, 3, 4, 6}, e2m1));
        assertEquals(-6.0, FpFormat.E2M1.decode(0xF));
    }

    @Test
    void tiesRoundToEvenMantissa() {
        assertEquals(1.0, FpFormat.E4M3.round(1.0625));
        assertEquals(1.25, FpFormat.E4M3.round(1.1875));
        assertEquals(-1.0, FpFormat.E4M3.round(-1.0625));
        assertEquals(0.0, FpFormat.E4M3.round(Math.pow(2, -10)));
        assertEquals(Math.pow(2, -8), FpFormat.E4M3.round(3 * Math.pow(2, -10)));
        assertEquals(2.0, FpFormat.E2M1.round(2.5));
        assertEquals(4.0, FpFormat.E2M1.round(3.5));
        assertEquals(4.0, FpFormat.E2M1.round(5.0));
        assertEquals(0.0, FpFormat.E2M1.round(0.25));
        assertEquals(1.0, FpFormat.E2M1.round(0.75));
        assertEquals(1.0, FpFormat.E5M2.round(1.125));
        assertEquals(1.5, FpFormat.E5M2.round(1.375));
    }

    @Test
    void overflowSaturates() {
        assertEquals(448.0, FpFormat.E4M3.round(1000));
        assertEquals(448.0, FpFormat.E4M3.round(460));
        assertEquals(-448.0, FpFormat.E4M3.round(-1e9));
        assertEquals(448.0, FpFormat.E4M3.round(Double.POSITIVE_INFINITY));
        assertEquals(57344.0, FpFormat.E5M2.round(1e6));
        assertEquals(6.0, FpFormat.E2M1.round(7));
        assertEquals(-6.0, FpFormat.E2M1.round(-100));
        INDArray q = FpFormat.E4M3.quantize(vec(1e30, -1e30, 500));
        assertClose(vec(448, -448, 448), q, 0);
    }

    /** The ND4J rounding equals the scalar reference on every code, every midpoint and random log-uniform values. */
    @Test
    void vectorisedQuantizeEqualsScalarReference() {
        for (FpFormat f : FpFormat.values()) {
            List<Double> xs = new ArrayList<>();
            List<Double> finite = new ArrayList<>();
            for (int c = 0; c < (1 << (f.bits() - 1)); c++) {
                double v = f.decode(c);
                if (Double.isFinite(v)) {
                    finite.add(v);
                }
            }
            for (int i = 0; i < finite.size(); i++) {
                xs.add(finite.get(i));
                if (i + 1 < finite.size()) {
                    xs.add((finite.get(i) + finite.get(i + 1)) / 2);
                }
            }
            for (int i = 0; i < 5000; i++) {
                xs.add(Math.pow(2, -20 + 40 * rnd.nextDouble()));
            }
            int n = xs.size();
            double[] all = new double[2 * n];
            for (int i = 0; i < n; i++) {
                all[i] = xs.get(i);
                all[n + i] = -xs.get(i);
            }
            INDArray x = Nd4j.createFromArray(all);
            INDArray q = f.quantize(x);
            INDArray qf = f.quantize(x.castTo(DataType.FLOAT));
            for (int i = 0; i < all.length; i++) {
                double expected = f.round(all[i]);
                assertEquals(expected, q.getDouble(i), 0.0, f + " at " + all[i]);
                double xf = (float) all[i];
                assertEquals(f.round(xf), qf.getDouble(i), 0.0, f + " FLOAT at " + xf);
            }
        }
    }

    @Test
    void quantizerScalesAndPassesGradientInsideTheRange() {
        FpQuantizer q = new FpQuantizer(FpFormat.E2M1, FpQuantizer.ScaleMode.MAX, Nd.PER_TENSOR);
        INDArray x = vec(12, -3, 1.1, 0.2);
        // scale = 12 / 6 = 2: x/s = [6, -1.5, 0.55, 0.1] -> [6, -1.5, 0.5, 0]
        assertClose(vec(12, -3, 1, 0), q.forward(x), 1e-12);
        FpQuantizer none = new FpQuantizer(FpFormat.E2M1, FpQuantizer.ScaleMode.NONE, Nd.PER_TENSOR);
        assertClose(vec(6, -3, 1, 0), none.forward(x), 1e-12);
        assertClose(vec(0, 1, 1, 1), none.backward(x, vec(1, 1, 1, 1)).input(), 0);
    }

    /** Learned scale: derivative of s (Q0 + u - u0) with u = clamp(x/s) and the rounding held, times gs. */
    @Test
    void learnedScaleGradientMatchesFiniteDifferences() {
        for (FpFormat f : FpFormat.values()) {
            FpQuantizer q = new FpQuantizer(f, FpQuantizer.ScaleMode.LEARNED, 1);
            INDArray x = TestArrays.random(rnd, 4, 3);
            Map<String, INDArray> p = Params.allocate(q, x.shape(), DataType.DOUBLE);
            q.forward(x, p);
            INDArray s0 = p.get(FpQuantizer.SCALE).muli(0.7).dup();
            INDArray g = TestArrays.random(rnd, 4, 3);
            QuantGradient grad = q.backward(x, p, g);
            INDArray u0 = clamp(x.div(s0.reshape(1, 3)), f.max());
            INDArray r0 = f.quantize(u0);
            Function<INDArray, Double> loss = s -> {
                INDArray u = clamp(x.div(s.reshape(1, 3)), f.max());
                return r0.add(u).subi(u0).muli(s.reshape(1, 3)).muli(g).sumNumber().doubleValue();
            };
            double gs = 1 / Math.sqrt(x.length() * (double) f.positiveValues());
            assertClose(TestArrays.gradient(loss, s0, 1e-7).muli(gs), grad.param(FpQuantizer.SCALE), 1e-6);
            assertEquals(f == FpFormat.E4M3 ? 126 : f == FpFormat.E5M2 ? 123 : 7, f.positiveValues());
        }
    }

    private static INDArray clamp(INDArray a, double m) {
        return Transforms.min(Transforms.max(a, -m, true), m, false);
    }

    @Test
    void flexibleBiasMatchesTheFormatAtStandardBiasAndItsGradientMatchesFiniteDifferences() {
        FlexibleBiasFpQuantizer flex = new FlexibleBiasFpQuantizer(4, 3);
        INDArray x = Nd4j.createFromArray(0.3, -17.0, 250.0, 0.001, 900.0, -0.02);
        Map<String, INDArray> p = Params.allocate(flex, x.shape(), DataType.DOUBLE);
        p.get(FlexibleBiasFpQuantizer.BIAS).assign(7);
        p.get(Params.INITIALISED).assign(1);
        assertEquals(480.0, flex.maxval(7), 0.0);
        // bias 7 is E4M3's grid extended by the code E4M3 reserves for NaN (max 480 instead of 448)
        INDArray q = flex.forward(x, p);
        for (int i = 0; i < x.length(); i++) {
            if (Math.abs(x.getDouble(i)) < 448) {
                assertEquals(FpFormat.E4M3.round(x.getDouble(i)), q.getDouble(i), 0.0, "at " + x.getDouble(i));
            }
        }
        assertEquals(480.0, q.getDouble(4), 0.0);

        p.get(FlexibleBiasFpQuantizer.BIAS).assign(6.3);
        INDArray g = TestArrays.random(rnd, 6);
        QuantGradient grad = flex.backward(x, p, g);
        double b0 = 6.3;
        double max0 = flex.maxval(b0);
        INDArray xc0 = clamp(x, max0);
        INDArray q0 = flex.forward(x, p);
        // p and the rounding are held at their base values: x_q(b) = step(b) (R0 + x_c(b)/step(b) - x_c0/step0)
        INDArray step0 = Transforms.pow(x.ulike().assign(2.0), Transforms.max(Transforms.floor(
                Transforms.log(Transforms.abs(xc0, true), 2.0, false).addi(1e-4), false).addi(b0), 1.0, false)
                .subi(3 + b0), false);
        INDArray pDetached = Transforms.log(step0, 2.0, true).addi(3 + b0);
        INDArray r0 = q0.div(step0);
        Function<INDArray, Double> loss = b -> {
            double bias = b.getDouble(0);
            INDArray step = Transforms.pow(x.ulike().assign(2.0), pDetached.sub(3 + bias), false);
            INDArray xc = clamp(x, flex.maxval(bias));
            return r0.add(xc.div(step)).subi(xc0.div(step0)).muli(step).muli(g).sumNumber().doubleValue();
        };
        assertClose(TestArrays.gradient(loss, vec(b0), 1e-7), grad.param(FlexibleBiasFpQuantizer.BIAS), 1e-6);
        assertClose(Nd.absAtMost(x, max0).muli(g), grad.input(), 0);
        assertEquals(0.0, Nd.absAtMost(vec(900), max0).getDouble(0));
    }
}
