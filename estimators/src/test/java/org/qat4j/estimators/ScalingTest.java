package org.qat4j.estimators;

import static org.qat4j.estimators.TestArrays.assertClose;
import static org.qat4j.estimators.TestArrays.mat;

import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.scaling.NoScaling;
import org.qat4j.estimators.scaling.XnorExactScaling;
import org.qat4j.estimators.scaling.XnorPlusPlusScaling;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.ReSteEstimator;
import org.qat4j.estimators.sign.SignEstimator;

class ScalingTest {

    private final Random rnd = new Random(7);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static final double[][] W = {{0.5, -1.0, 0.25, 0.25}, {1.0, 2.0, 3.0, 6.0}};

    @Test
    void forwardHandValues() {
        INDArray w = mat(W);
        assertClose(mat(new double[][] {{1, -1, 1, 1}, {1, 1, 1, 1}}),
                new BinaryWeightQuantizer(new ApproxSignEstimator(), new NoScaling(), 0).forward(w), 0);
        assertClose(mat(new double[][] {{0.5, -0.5, 0.5, 0.5}, {3, 3, 3, 3}}),
                new BinaryWeightQuantizer(new ApproxSignEstimator(), new XnorScaling(), 0).forward(w), 1e-12);
        assertClose(mat(new double[][] {{0.75, -1.5, 1.625, 3.125}, {0.75, 1.5, 1.625, 3.125}}),
                new BinaryWeightQuantizer(new ApproxSignEstimator(), new XnorScaling(), 1).forward(w), 1e-12);
        double all = (0.5 + 1 + 0.25 + 0.25 + 1 + 2 + 3 + 6) / 8;
        assertClose(mat(new double[][] {{all, -all, all, all}, {all, all, all, all}}),
                new BinaryWeightQuantizer(new ApproxSignEstimator(), new XnorExactScaling(), Nd.PER_TENSOR).forward(w),
                1e-12);
        BinaryWeightQuantizer centred = new BinaryWeightQuantizer(new ApproxSignEstimator(), new LearnedScaling(true), 0);
        Map<String, INDArray> p = Params.allocate(centred, w.shape(), DataType.DOUBLE);
        // row 0: mean 0, W_c = W, s = 0.5; row 1: mean 3, W_c = [-2, -1, 0, 3], s = 1.5
        assertClose(mat(new double[][] {{0.5, -0.5, 0.5, 0.5}, {-1.5, -1.5, 1.5, 1.5}}), centred.forward(w, p), 1e-12);
        assertClose(TestArrays.vec(0.5, 1.5), p.get(LearnedScaling.SCALE), 1e-12);
    }

    @Test
    void xnorDetachedGradientIsScaledEstimator() {
        INDArray w = TestArrays.random(rnd, 3, 5);
        INDArray g = TestArrays.random(rnd, 3, 5);
        SignEstimator est = new ApproxSignEstimator();
        INDArray alpha = Transforms.abs(w, true).mean(true, 1);
        INDArray expected = est.derivative(w).muli(g).muli(alpha);
        assertClose(expected, new BinaryWeightQuantizer(est, new XnorScaling(), 0).backward(w, g).input(), 1e-12);
    }

    /** Surrogate alpha(W) sign(W0) + alpha(W0) (F(W) - F(W0)), differentiated numerically. */
    @Test
    void xnorExactGradientMatchesFiniteDifferences() {
        for (int axis : new int[] {0, 1, Nd.PER_TENSOR}) {
            INDArray w0 = TestArrays.random(rnd, 3, 5);
            INDArray g = TestArrays.random(rnd, 3, 5);
            SignEstimator est = new ReSteEstimator(2.0, 3.0, 0.1);
            int[] axes = Nd.reduceAxes(2, axis);
            INDArray b0 = Nd.sign(w0);
            INDArray alpha0 = Transforms.abs(w0, true).mean(true, axes);
            INDArray f0 = est.surrogate(w0);
            Function<INDArray, Double> loss = w -> Transforms.abs(w, true).mean(true, axes).mul(b0)
                    .addi(est.surrogate(w).subi(f0).muli(alpha0)).muli(g).sumNumber().doubleValue();
            INDArray numeric = TestArrays.gradient(loss, w0, 1e-6);
            INDArray analytic = new BinaryWeightQuantizer(est, new XnorExactScaling(), axis).backward(w0, g).input();
            assertClose(numeric, analytic, 1e-6);
        }
    }

    /** Surrogate s sign(W_c0) + s0 (F(W - m0) - F(W_c0)); the centring mean m0 is held fixed, as the rule says. */
    @Test
    void learnedScaleGradientsMatchFiniteDifferences() {
        for (boolean centering : new boolean[] {false, true}) {
            INDArray w0 = TestArrays.random(rnd, 4, 3);
            INDArray g = TestArrays.random(rnd, 4, 3);
            SignEstimator est = new ApproxSignEstimator();
            BinaryWeightQuantizer q = new BinaryWeightQuantizer(est, new LearnedScaling(centering), 1);
            Map<String, INDArray> p = Params.allocate(q, w0.shape(), DataType.DOUBLE);
            q.forward(w0, p);
            p.get(LearnedScaling.SCALE).muli(1.3);
            INDArray s0 = p.get(LearnedScaling.SCALE).dup().reshape(1, 3);
            INDArray m0 = centering ? w0.mean(true, 0) : Nd4j.zeros(1, 3);
            INDArray wc0 = w0.sub(m0);
            INDArray b0 = Nd.sign(wc0);
            INDArray f0 = est.surrogate(wc0);
            QuantGradient grad = q.backward(w0, p, g);

            Function<INDArray, Double> lossW = w -> est.surrogate(w.sub(m0)).subi(f0).muli(s0).addi(b0.mul(s0))
                    .muli(g).sumNumber().doubleValue();
            assertClose(TestArrays.gradient(lossW, w0, 1e-6), grad.input(), 1e-6);
            Function<INDArray, Double> lossS = s -> b0.mul(s.reshape(1, 3)).muli(g).sumNumber().doubleValue();
            assertClose(TestArrays.gradient(lossS, s0.reshape(3), 1e-6), grad.param(LearnedScaling.SCALE), 1e-6);
        }
    }

    @Test
    void xnorPlusPlusGradientsMatchFiniteDifferences() {
        XnorPlusPlusScaling q = new XnorPlusPlusScaling();
        INDArray y0 = TestArrays.random(rnd, 2, 3, 4, 5);
        INDArray g = TestArrays.random(rnd, 2, 3, 4, 5);
        Map<String, INDArray> p = Params.allocate(q, y0.shape(), DataType.DOUBLE);
        for (INDArray v : p.values()) {
            v.assign(TestArrays.random(rnd, v.shape()));
        }
        QuantGradient grad = q.backward(y0, p, g);
        assertClose(TestArrays.gradient(y -> q.forward(y, p).muli(g).sumNumber().doubleValue(), y0, 1e-6),
                grad.input(), 1e-6);
        for (String name : new String[] {XnorPlusPlusScaling.ALPHA, XnorPlusPlusScaling.BETA,
                XnorPlusPlusScaling.GAMMA}) {
            INDArray at = p.get(name).dup();
            Function<INDArray, Double> loss = v -> {
                Map<String, INDArray> changed = new java.util.HashMap<>(p);
                changed.put(name, v);
                return q.forward(y0, changed).muli(g).sumNumber().doubleValue();
            };
            assertClose(TestArrays.gradient(loss, at, 1e-6), grad.param(name), 1e-6);
        }
    }
}
