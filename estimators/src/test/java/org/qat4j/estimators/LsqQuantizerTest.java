package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.estimators.TestArrays.assertClose;
import static org.qat4j.estimators.TestArrays.vec;

import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.RampSchedule;
import org.qat4j.estimators.integer.LsqQuantizer;

class LsqQuantizerTest {

    private final Random rnd = new Random(5);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static Map<String, INDArray> withStep(LsqQuantizer q, INDArray v, double step) {
        Map<String, INDArray> p = Params.allocate(q, v.shape(), DataType.DOUBLE);
        p.get(LsqQuantizer.STEP).assign(step);
        p.get(Params.INITIALISED).assign(1);
        return p;
    }

    @Test
    void signedTwoBitHandValues() {
        LsqQuantizer q = new LsqQuantizer(2, true, false);
        assertEquals(2, q.qn());
        assertEquals(1, q.qp());
        INDArray v = vec(-2, -0.6, -0.25, 0.1, 0.26, 0.75, 3);
        // v/s = [-4, -1.2, -0.5, 0.2, 0.52, 1.5, 6] -> clamp [-2, 1] -> round half even
        assertClose(vec(-1, -0.5, 0, 0, 0.5, 0.5, 0.5), q.forward(v, withStep(q, v, 0.5)), 1e-12);
    }

    @Test
    void unsignedAndEightBitRanges() {
        LsqQuantizer u4 = new LsqQuantizer(4, false, false);
        assertEquals(0, u4.qn());
        assertEquals(15, u4.qp());
        INDArray v = vec(-1, 0.3, 2.1, 100);
        assertClose(vec(0, 0.2, 2.0, 3.0), u4.forward(v, withStep(u4, v, 0.2)), 1e-12);
        LsqQuantizer s8 = new LsqQuantizer(8, true, false);
        assertEquals(128, s8.qn());
        assertEquals(127, s8.qp());
        assertClose(vec(-1.0, 0.3, 1.27, 1.27), s8.forward(v, withStep(s8, v, 0.01)), 1e-12);
        assertClose(vec(-1.28), s8.forward(vec(-2), withStep(s8, vec(-2), 0.01)), 1e-12);
    }

    @Test
    void stepIsInitialisedFromTheData() {
        LsqQuantizer q = new LsqQuantizer(4, true, false);
        INDArray v = vec(1, -2, 3, -4);
        Map<String, INDArray> p = Params.allocate(q, v.shape(), DataType.DOUBLE);
        q.forward(v, p);
        assertEquals(2 * 2.5 / Math.sqrt(7), p.get(LsqQuantizer.STEP).getDouble(0), 1e-12);
    }

    @Test
    void elasticBinarizationAtOneBit() {
        LsqQuantizer q = new LsqQuantizer(1, true, false);
        INDArray v = vec(-0.3, 0.0, 0.2, 1.5);
        Map<String, INDArray> p = withStep(q, v, 0.5);
        assertClose(vec(-0.5, 0.5, 0.5, 0.5), q.forward(v, p), 1e-12);
        INDArray g = vec(1, 2, 3, 4);
        QuantGradient grad = q.backward(v, p, g);
        assertClose(vec(1, 2, 3, 0), grad.input(), 1e-12);
        assertEquals((-1 + 2 + 3 + 4) / Math.sqrt(4), grad.param(LsqQuantizer.STEP).getDouble(0), 1e-12);
    }

    /**
     * The step gradient is the derivative of s (round0 + u - u0) with u = clamp(v/s, -QN, QP) and the rounding
     * held at its base value (round straight through), times gs = 1/sqrt(N QP).
     */
    @Test
    void stepAndInputGradientsMatchFiniteDifferences() {
        for (int bits : new int[] {2, 3, 4, 8}) {
            for (boolean signed : new boolean[] {true, false}) {
                for (double lambda : new double[] {1.0, 0.3}) {
                    LsqQuantizer q = new LsqQuantizer(bits, signed, false);
                    q.setLambda(lambda);
                    INDArray v = TestArrays.random(rnd, 5, 8);
                    double s0 = 1.6 / q.qp();
                    Map<String, INDArray> p = withStep(q, v, s0);
                    INDArray g = TestArrays.random(rnd, 5, 8);
                    QuantGradient grad = q.backward(v, p, g);
                    INDArray u0 = clamp(v.div(s0), -q.qn(), q.qp());
                    LsqQuantizer exact = new LsqQuantizer(bits, signed, false);
                    INDArray r0 = exact.forward(v, withStep(exact, v, s0)).divi(s0);
                    double gs = 1 / Math.sqrt(v.length() * (double) q.qp());
                    Function<INDArray, Double> lossS = s -> {
                        double step = s.getDouble(0);
                        INDArray u = clamp(v.div(step), -q.qn(), q.qp());
                        INDArray surrogate = r0.add(u).subi(u0).muli(step).muli(lambda).addi(v.mul(1 - lambda));
                        return surrogate.muli(g).sumNumber().doubleValue();
                    };
                    double numeric = TestArrays.gradient(lossS, vec(s0), 1e-7).getDouble(0) * gs;
                    assertEquals(numeric, grad.param(LsqQuantizer.STEP).getDouble(0), 1e-6 * Math.max(1, Math.abs(numeric)));
                    INDArray inside = v.div(s0).gt(-q.qn()).castTo(DataType.DOUBLE)
                            .muli(v.div(s0).lt(q.qp()).castTo(DataType.DOUBLE));
                    assertClose(inside.muli(lambda).addi(1 - lambda).muli(g), grad.input(), 1e-12);
                }
            }
        }
    }

    private static INDArray clamp(INDArray a, double lo, double hi) {
        return org.nd4j.linalg.ops.transforms.Transforms.min(
                org.nd4j.linalg.ops.transforms.Transforms.max(a, lo, true), hi, false);
    }

    @Test
    void perSampleGradientScaleUsesFeaturesPerSample() {
        LsqQuantizer weights = new LsqQuantizer(4, true, false);
        LsqQuantizer acts = new LsqQuantizer(4, true, true);
        INDArray v = TestArrays.random(rnd, 4, 9);
        INDArray g = TestArrays.random(rnd, 4, 9);
        double a = weights.backward(v, withStep(weights, v, 0.3), g).param(LsqQuantizer.STEP).getDouble(0);
        double b = acts.backward(v, withStep(acts, v, 0.3), g).param(LsqQuantizer.STEP).getDouble(0);
        assertEquals(Math.sqrt(4), b / a, 1e-9);
    }

    @Test
    void warmupScheduleFadesQuantizationIn() {
        LsqQuantizer q = new LsqQuantizer(2, true, false);
        q.setWarmupSchedule(new RampSchedule(new FixedSchedule(1.0), 10));
        INDArray v = vec(0.26, 3.0);
        q.onProgress(0, 4);
        assertEquals(0.5, q.getLambda(), 1e-12);
        assertClose(vec(0.5 * 0.26 + 0.5 * 0.5, 0.5 * 3 + 0.5 * 0.5), q.forward(v, withStep(q, v, 0.5)), 1e-12);
        q.onProgress(1, 50);
        assertEquals(1.0, q.getLambda(), 1e-12);
    }

    @Test
    void bitsOutsideOneToEightAreRejected() {
        for (int bits : new int[] {0, 9, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LsqQuantizer(bits, true, false));
            assertTrue(e.getMessage().contains("bits must be in 1..8"), e.getMessage());
        }
    }
}
