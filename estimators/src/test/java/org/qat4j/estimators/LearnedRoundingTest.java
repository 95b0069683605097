package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.estimators.TestArrays.assertClose;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;
import org.qat4j.estimators.fp.LearnedRoundingQuantizer;
import org.qat4j.estimators.fp.RoundingRegularizer;
import org.qat4j.estimators.schedule.LinearRampSchedule;

/** AdaRound on an FP grid: the quantizer, its rounding regulariser and its hardening schedule. */
class LearnedRoundingTest {

    /** V where the rectified sigmoid's clip starts and ends: 1.2 sigmoid(V) - 0.1 = 0 or 1. */
    private static final double CLIP_KINK = Math.log(11.0);

    private final Random rnd = new Random(11);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static double h(double v) {
        return Math.min(1.0, Math.max(0.0, 1.2 / (1.0 + Math.exp(-v)) - 0.1));
    }

    /** Random V in [-4, 4], clipped and unclipped, away from the clip's kinks. */
    private INDArray randomV() {
        return TestArrays.points(rnd, 40, -4.0, 4.0, 1e-3, -CLIP_KINK, CLIP_KINK).reshape(5, 8);
    }

    @Test
    void regulariserScoreAndGradientMatchTheFormulaAndFiniteDifferences() {
        INDArray v = randomV();
        for (double beta : new double[] {1.0, 3.0, 20.0}) {
            RoundingRegularizer reg = new RoundingRegularizer();
            reg.setLambda(0.3);
            reg.setBeta(beta);
            double expected = 0;
            for (long i = 0; i < v.length(); i++) {
                expected += 1 - Math.pow(Math.abs(2 * h(v.getDouble(i)) - 1), beta);
            }
            assertEquals(0.3 * expected, reg.score(v, 5, 1), 1e-12);
            INDArray grad = v.ulike().assign(0.5);
            reg.apply(v, grad, 0.1, 5, 1);
            assertClose(TestArrays.gradient(x -> reg.score(x, 5, 1), v, 1e-6), grad.subi(0.5), 1e-6);
        }
        assertEquals(Regularization.ApplyStep.BEFORE_UPDATER, new RoundingRegularizer().applyStep());
    }

    @Test
    void betaFollowsItsScheduleAndTheRegulariserVanishesOnceHard() {
        RoundingRegularizer reg = new RoundingRegularizer(0.01, 100);
        assertEquals(20.0, reg.betaAt(0, 0), 1e-12);
        assertEquals(11.0, reg.betaAt(50, 0), 1e-12);
        assertEquals(2.0, reg.betaAt(100, 3), 1e-12);
        assertEquals(2.0, reg.betaAt(500, 3), 1e-12);
        INDArray v = randomV();
        RoundingRegularizer fixed = new RoundingRegularizer();
        fixed.setBeta(11.0);
        assertEquals(fixed.score(v, 0, 0), reg.score(v, 50, 0), 1e-12);

        reg.setHardenAt(60);
        assertTrue(reg.score(v, 59, 0) > 0);
        assertEquals(0.0, reg.score(v, 60, 0));
        INDArray grad = v.ulike().assign(0.25);
        reg.apply(v, grad, 0.1, 60, 0);
        assertClose(v.ulike().assign(0.25), grad, 0);
        reg.apply(v, grad, 0.1, 59, 0);
        assertNotEquals(v.ulike().assign(0.25), grad);

        assertTrue(assertThrows(IllegalArgumentException.class, () -> fixed.setBeta(0.5)).getMessage()
                .contains("beta must be a finite number >= 1"));
        RoundingRegularizer tooLow = new RoundingRegularizer(0.01, new MapSchedule(ScheduleType.ITERATION,
                Map.of(0, 2.0, 10, 0.5)));
        assertThrows(IllegalArgumentException.class, () -> tooLow.score(v, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new RoundingRegularizer(-1, 10));
    }

    @Test
    void regulariserRoundTripsThroughJsonAndClones() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        RoundingRegularizer reg = new RoundingRegularizer(0.02, 300);
        reg.setHardenAt(300);
        String json = mapper.writeValueAsString(reg);
        Regularization back = mapper.readValue(json, Regularization.class);
        assertEquals(reg, back);
        assertEquals(json, mapper.writeValueAsString(back));
        assertEquals(reg, reg.clone());
        INDArray v = randomV();
        assertEquals(reg.score(v, 120, 0), back.score(v, 120, 0), 0.0);
        assertNotEquals(reg, new RoundingRegularizer(0.02, 301));
    }

    @Test
    void quantizerStartsAtTheWeightsAndItsVGradientMatchesFiniteDifferences() {
        LearnedRoundingQuantizer q = new LearnedRoundingQuantizer(FpFormat.E4M3, 0);
        INDArray w = TestArrays.random(rnd, 3, 7);
        Map<String, INDArray> p = Params.allocate(q, w.shape(), DataType.DOUBLE);
        assertClose(w, q.forward(w, p), 1e-9);

        p.get(LearnedRoundingQuantizer.V).assign(TestArrays.random(rnd, 3, 7));
        INDArray g = TestArrays.random(rnd, 3, 7);
        QuantGradient grad = q.backward(w, p, g);
        INDArray v0 = p.get(LearnedRoundingQuantizer.V).dup();
        Function<INDArray, Double> loss = v -> {
            p.get(LearnedRoundingQuantizer.V).assign(v);
            double r = q.forward(w, p).muli(g).sumNumber().doubleValue();
            p.get(LearnedRoundingQuantizer.V).assign(v0);
            return r;
        };
        assertClose(TestArrays.gradient(loss, v0, 1e-6), grad.param(LearnedRoundingQuantizer.V), 1e-5);
    }

    @Test
    void quantizerDeclaresItsRegulariserForVAndRoundTripsThroughJson() throws Exception {
        LearnedRoundingQuantizer q = new LearnedRoundingQuantizer(FpFormat.E2M1, 1, 0.05, 400);
        RoundingRegularizer expected = new RoundingRegularizer(0.05, new LinearRampSchedule(20, 2, 400));
        expected.setHardenAt(400);
        assertEquals(List.of(expected), q.regularization(LearnedRoundingQuantizer.V));
        assertEquals(List.of(), q.regularization(LearnedRoundingQuantizer.SCALE));
        assertEquals(List.of(), new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.LEARNED, 0)
                .regularization(FpQuantizer.SCALE));

        ObjectMapper mapper = new ObjectMapper();
        q.onProgress(0, 450);
        String json = mapper.writeValueAsString(q);
        LearnedRoundingQuantizer back = (LearnedRoundingQuantizer) mapper.readValue(json, Quantizer.class);
        assertEquals(q, back);
        assertEquals(json, mapper.writeValueAsString(back));
        assertEquals(400, back.getHardenAt());
        assertEquals(q.regularization(LearnedRoundingQuantizer.V), back.regularization(LearnedRoundingQuantizer.V));
        assertEquals(q, QuantizerRegistry.quantizer("fp-adaround", Map.of("format", "e2m1", "axis", "1",
                "lambda", "0.05", "iterations", "400")));
    }

    @Test
    void roundingTurnsHardExactlyAtHardenAtOntoTheGridAndVStopsLearning() {
        FpFormat f = FpFormat.E4M3;
        LearnedRoundingQuantizer q = new LearnedRoundingQuantizer(f, 0, 0.01, 10);
        INDArray w = TestArrays.random(rnd, 4, 9);
        Map<String, INDArray> p = Params.allocate(q, w.shape(), DataType.DOUBLE);
        q.onProgress(0, 0);
        assertClose(w, q.forward(w, p), 1e-9);
        INDArray v = TestArrays.random(rnd, 4, 9).muli(3);
        p.get(LearnedRoundingQuantizer.V).assign(v);
        INDArray g = TestArrays.random(rnd, 4, 9);

        q.onProgress(0, 9);
        assertFalse(q.isHard(p));
        INDArray soft = q.forward(w, p);
        assertTrue(q.backward(w, p, g).param(LearnedRoundingQuantizer.V).norm1Number().doubleValue() > 0);

        q.onProgress(0, 10);
        assertTrue(q.isHard(p));
        INDArray hard = q.forward(w, p);
        assertNotEquals(soft, hard);
        INDArray scale = p.get(LearnedRoundingQuantizer.SCALE);
        int farther = 0;
        for (int i = 0; i < w.length(); i++) {
            double s = scale.getDouble(i / 9);
            double u = w.getDouble(i) / s;
            double step = Math.pow(2, Math.max(Math.floor(Math.log(Math.abs(u)) / Math.log(2)), 1 - f.bias())
                    - f.mantissaBits());
            double lo = step * Math.floor(u / step);
            double chosen = Math.min(f.max(), Math.max(-f.max(), v.getDouble(i) >= 0 ? lo + step : lo));
            double uq = hard.getDouble(i) / s;
            assertEquals(chosen, uq, 1e-9 * Math.max(1, Math.abs(u)), "element " + i);
            assertEquals(f.round(uq), uq, 1e-9 * Math.max(1, Math.abs(uq)), "on the grid");
            double nearest = f.round(u);
            if (Math.abs(chosen - nearest) > 1e-9) {
                farther++;
                assertNotEquals(nearest, uq, 1e-9, "V chose the farther neighbour");
            } else {
                assertEquals(nearest, uq, 1e-9, "V chose round-to-nearest");
            }
        }
        assertTrue(farther > 0 && farther < w.length(), farther + " of " + w.length() + " rounded away");
        assertClose(w.ulike().assign(0.0), q.backward(w, p, g).param(LearnedRoundingQuantizer.V), 0);
        assertEquals(0.0, q.roundingRegularizer().score(p.get(LearnedRoundingQuantizer.V), 10, 0));
    }

    @Test
    void hardeningByHandStillWorksAndNeverIsTheDefault() {
        LearnedRoundingQuantizer q = new LearnedRoundingQuantizer(FpFormat.E5M2, 0);
        assertEquals(0, q.getHardenAt());
        INDArray w = TestArrays.random(rnd, 2, 5);
        Map<String, INDArray> p = Params.allocate(q, w.shape(), DataType.DOUBLE);
        q.forward(w, p);
        p.get(LearnedRoundingQuantizer.V).assign(TestArrays.random(rnd, 2, 5));
        q.onProgress(3, 1_000_000);
        assertFalse(q.isHard(p));
        q.harden(p);
        assertTrue(q.isHard(p));
        INDArray u = q.forward(w, p).divi(p.get(LearnedRoundingQuantizer.SCALE).reshape(2, 1));
        for (int i = 0; i < u.length(); i++) {
            assertEquals(FpFormat.E5M2.round(u.getDouble(i)), u.getDouble(i), 1e-9 * Math.max(1, Math.abs(u.getDouble(i))));
        }
    }
}
