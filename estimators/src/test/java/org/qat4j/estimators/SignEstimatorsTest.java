package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.estimators.TestArrays.assertClose;
import static org.qat4j.estimators.TestArrays.points;
import static org.qat4j.estimators.TestArrays.vec;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.qat4j.estimators.schedule.CosineRampSchedule;
import org.qat4j.estimators.schedule.FloorLinearSchedule;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.BiPerEstimator;
import org.qat4j.estimators.sign.BiPerRegularizer;
import org.qat4j.estimators.sign.FdaEstimator;
import org.qat4j.estimators.sign.IdentityEstimator;
import org.qat4j.estimators.sign.ReSteEstimator;
import org.qat4j.estimators.sign.SignEstimator;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.estimators.sign.SwishSignEstimator;

class SignEstimatorsTest {

    private final Random rnd = new Random(42);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void forwardIsSignWithZeroMappedToPlusOne() {
        INDArray x = vec(-2.0, -0.3, -0.0, 0.0, 1e-9, 3.0);
        INDArray expected = vec(-1, -1, 1, 1, 1, 1);
        for (SignEstimator e : new SignEstimator[] {new SteEstimator(), new ApproxSignEstimator(),
                new SwishSignEstimator(), new ReSteEstimator(), new FdaEstimator()}) {
            assertClose(expected, e.forward(x), 0);
        }
        INDArray f = Nd4j.createFromArray(-0.0f, 0.0f, -1e-40f, 1e-40f, -Float.MIN_VALUE, Float.MIN_VALUE);
        assertClose(vec(1, 1, -1, 1, -1, 1), Nd.sign(f).castTo(DataType.DOUBLE), 0);
        INDArray d = vec(-0.0, -Double.MIN_VALUE, Double.MIN_VALUE);
        assertClose(vec(1, -1, 1), Nd.sign(d), 0);
    }

    @Test
    void steHandValues() {
        INDArray x = vec(-1.5, -1.0, -0.3, 0.0, 0.99, 1.0, 1.2);
        assertClose(vec(0, 1, 1, 1, 1, 1, 0), new SteEstimator(1.0).derivative(x), 0);
        assertClose(vec(0, 0, 1, 1, 0, 0, 0), new SteEstimator(0.5).derivative(x), 0);
        assertClose(vec(1, 1, 1, 1, 1, 1, 1), new SteEstimator(Double.POSITIVE_INFINITY).derivative(x), 0);
        INDArray g = vec(2, 3, 4, 5, 6, 7, 8);
        assertClose(vec(0, 3, 4, 5, 6, 7, 0), new SteEstimator(1.0).backward(x, g).input(), 0);
    }

    @Test
    void approxHandValues() {
        assertClose(vec(0, 1, 2, 1.5, 0, 0), new ApproxSignEstimator().derivative(vec(-2, -0.5, 0, 0.25, 1, 3)), 1e-12);
        assertClose(vec(-1, -0.75, 0, 0.4375, 1), new ApproxSignEstimator().surrogate(vec(-3, -0.5, 0, 0.25, 1)),
                1e-12);
    }

    @Test
    void swishHandValues() {
        double b = 5.0;
        double x = 0.2;
        double expected = b * (2 - b * x * Math.tanh(b * x / 2)) / (1 + Math.cosh(b * x));
        assertClose(vec(b, expected, expected), new SwishSignEstimator(b).derivative(vec(0.0, x, -x)), 1e-12);
    }

    @Test
    void resteHandValues() {
        ReSteEstimator e = new ReSteEstimator(3.0, 1.5, 0.1);
        INDArray d = e.derivative(vec(0.05, -0.05, 0.5, 1.5, 2.0, -0.5));
        double secant = Math.pow(0.1, 1.0 / 3) / 0.1;
        double at05 = (1.0 / 3) * Math.pow(0.5, -2.0 / 3);
        double at15 = (1.0 / 3) * Math.pow(1.5, -2.0 / 3);
        assertClose(vec(secant, secant, at05, at15, 0, at05), d, 1e-12);
        assertEquals(4.6415888, secant, 1e-6);
        assertClose(vec(1, 1, 1, 0), new ReSteEstimator(1.0, 1.5, 0.1).derivative(vec(0.05, 0.7, 1.5, 1.6)), 1e-12);
    }

    @Test
    void biperHandValues() {
        BiPerEstimator stage1 = new BiPerEstimator(20.0, 1);
        BiPerEstimator stage2 = new BiPerEstimator(20.0, 2);
        INDArray x = vec(0.01, 0.2);
        assertClose(vec(Math.sin(0.2), Math.sin(4.0)), stage1.forward(x), 1e-12);
        assertClose(vec(1, -1), stage2.forward(x), 0);
        assertClose(vec(20 * Math.cos(0.2), 20 * Math.cos(4.0)), stage2.derivative(x), 1e-12);
        assertClose(stage1.derivative(x), stage2.derivative(x), 0);
    }

    @Test
    void fdaHandValues() {
        FdaEstimator e = new FdaEstimator(0.1, 9);
        assertClose(vec(0.4 / Math.PI * 10, 0, 0), e.derivative(vec(0.0, 2.0, -1.5)), 1e-12);
        double at05 = 0;
        for (int i = 0; i <= 9; i++) {
            at05 += Math.cos((2 * i + 1) * 0.1 * 0.5);
        }
        assertClose(vec(0.4 / Math.PI * at05), e.derivative(vec(0.5)), 1e-12);
    }

    @Test
    void identityPassesValuesAndGradients() {
        INDArray x = vec(-1.5, 0.2, 3.0);
        IdentityEstimator id = new IdentityEstimator();
        assertClose(x, id.forward(x), 0);
        assertClose(vec(4, 5, 6), id.backward(x, vec(4, 5, 6)).input(), 0);
    }

    /** dF/dx by central differences of the surrogate equals the backward factor, at random points off the kinks. */
    @Test
    void backwardIsDerivativeOfSurrogateForEveryEstimatorAndStage() {
        Object[][] cases = {
            {new SteEstimator(1.0), new double[] {-1, 1}},
            {new SteEstimator(0.4), new double[] {-0.4, 0.4}},
            {new ApproxSignEstimator(), new double[] {-1, 0, 1}},
            {new SwishSignEstimator(5.0), new double[] {}},
            {new SwishSignEstimator(2.0), new double[] {}},
            {new ReSteEstimator(1.0, 1.5, 0.1), new double[] {-1.5, -0.1, 0.1, 1.5}},
            {new ReSteEstimator(2.0, 1.5, 0.1), new double[] {-1.5, -0.1, 0.1, 1.5}},
            {new ReSteEstimator(3.0, 1.5, 0.1), new double[] {-1.5, -0.1, 0.1, 1.5}},
            {new BiPerEstimator(20.0, 1), new double[] {}},
            {new BiPerEstimator(20.0, 2), new double[] {}},
            {new FdaEstimator(0.1, 9), new double[] {-1, 1}},
            {new FdaEstimator(0.1, 18), new double[] {-1, 1}},
            {new FdaEstimator(2.0, 5), new double[] {-1, 1}},
            {new IdentityEstimator(), new double[] {}},
        };
        for (Object[] c : cases) {
            SignEstimator e = (SignEstimator) c[0];
            INDArray x = points(rnd, 400, -2, 2, 1e-3, (double[]) c[1]);
            INDArray numeric = TestArrays.derivative(e::surrogate, x, 1e-6);
            INDArray g = TestArrays.random(rnd, 400);
            INDArray analytic = e.backward(x, Map.of(), g).input().div(g);
            assertClose(numeric, analytic, 1e-5);
        }
    }

    @Test
    void scheduledStagesChangeTheBackward() {
        ReSteEstimator reste = new ReSteEstimator();
        reste.setOSchedule(new CosineRampSchedule(1.0, 3.0, 10));
        reste.onProgress(0, 0);
        assertEquals(1.0, reste.getO(), 1e-12);
        reste.onProgress(5, 123);
        assertEquals(1 + 2 * (1 - Math.cos(Math.PI / 4)), reste.getO(), 1e-12);
        INDArray x = points(rnd, 200, -2, 2, 1e-3, -1.5, -0.1, 0.1, 1.5);
        assertClose(TestArrays.derivative(reste::surrogate, x, 1e-6), reste.derivative(x), 1e-5);

        BiPerEstimator biper = new BiPerEstimator(20.0, 1);
        biper.setStageSchedule(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 1.0, 3, 2.0)));
        biper.onProgress(2, 0);
        assertEquals(1, biper.getStage());
        biper.onProgress(3, 0);
        assertEquals(2, biper.getStage());

        FdaEstimator fda = new FdaEstimator();
        fda.setNSchedule(new FloorLinearSchedule(9, 9, 10));
        fda.onProgress(5, 0);
        assertEquals(13, fda.getN());
        INDArray inside = points(rnd, 200, -0.99, 0.99, 1e-3);
        assertClose(TestArrays.derivative(fda::surrogate, inside, 1e-6), fda.derivative(inside), 1e-5);
    }

    @Test
    void biperRegulariserGradientMatchesFiniteDifferences() {
        BiPerRegularizer reg = new BiPerRegularizer(20.0, 0.037);
        INDArray w = TestArrays.random(rnd, 3, 5).muli(0.1);
        double expected = 0;
        for (long i = 0; i < w.length(); i++) {
            expected += Math.pow(Math.sin(20 * w.getDouble(i)), 2);
        }
        assertEquals(0.037 * expected / w.length(), reg.value(w), 1e-12);
        assertClose(TestArrays.gradient(reg::value, w, 1e-6), reg.gradient(w), 1e-6);

        BiPerRegularizer scheduled = new BiPerRegularizer(20.0, 0.0);
        scheduled.setTauSchedule(new org.nd4j.linalg.schedule.MapSchedule(org.nd4j.linalg.schedule.ScheduleType.EPOCH,
                Map.of(0, 0.037, 4, 0.0468)));
        INDArray grad = w.ulike().assign(0.5);
        scheduled.apply(w, grad, 0.1, 10, 5);
        assertClose(TestArrays.gradient(v -> scheduled.score(v, 10, 5), w, 1e-6), grad.sub(0.5), 1e-6);
        assertEquals(0.0468 / 0.037 * reg.value(w), scheduled.score(w, 0, 4), 1e-12);
        assertEquals(scheduled, scheduled.clone());
    }

    @Test
    void floatInputsStayFloat() {
        INDArray x = Nd4j.createFromArray(-0.5f, 0.25f, 2f);
        for (SignEstimator e : new SignEstimator[] {new SteEstimator(), new ApproxSignEstimator(),
                new SwishSignEstimator(), new ReSteEstimator(2, 1.5, 0.1), new BiPerEstimator(), new FdaEstimator()}) {
            assertEquals(DataType.FLOAT, e.forward(x).dataType());
            INDArray g = e.backward(x, Nd4j.createFromArray(1f, 1f, 1f)).input();
            assertEquals(DataType.FLOAT, g.dataType());
            assertClose(e.derivative(x.castTo(DataType.DOUBLE)), g.castTo(DataType.DOUBLE), 1e-5);
        }
    }

    @Test
    void outOfRangeParametersAreRejectedWithTheirRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReSteEstimator(0, 1.5, 0.1));
        assertTrue(e.getMessage().contains("o must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ReSteEstimator(2, 1.0, 1.2));
        assertTrue(e.getMessage().contains("d must be in (0, t]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SteEstimator(-1));
        assertTrue(e.getMessage().contains("clip must be >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BiPerEstimator(20, 3));
        assertTrue(e.getMessage().contains("stage must be in 1..2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SwishSignEstimator(Double.NaN));
        assertTrue(e.getMessage().contains("beta"), e.getMessage());
    }
}
