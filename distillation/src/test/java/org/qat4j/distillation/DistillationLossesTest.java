package org.qat4j.distillation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.qat4j.estimators.ParamSpec;

/** Values on hand-computed cases, gradients against central differences in DOUBLE, and the edge cases. */
class DistillationLossesTest {

    static INDArray random(Random r, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, r.nextGaussian());
        }
        return a;
    }

    /** Fresh state for a loss on a tap of this many channels. */
    static Map<String, INDArray> state(DistillationLoss loss, long channels) {
        Map<String, INDArray> s = new HashMap<>();
        for (ParamSpec p : loss.stateSpecs(channels)) {
            s.put(p.name(), Nd4j.valueArrayOf(p.shape(), p.initValue(), DataType.DOUBLE));
        }
        return s;
    }

    static INDArray numericGradient(Function<INDArray, Double> f, INDArray at, double h) {
        INDArray g = at.ulike();
        for (long i = 0; i < at.length(); i++) {
            INDArray plus = at.dup();
            plus.putScalar(i, at.getDouble(i) + h);
            INDArray minus = at.dup();
            minus.putScalar(i, at.getDouble(i) - h);
            g.putScalar(i, (f.apply(plus) - f.apply(minus)) / (2 * h));
        }
        return g;
    }

    static void assertClose(INDArray expected, INDArray actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double err = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(err <= tol * scale, "max abs error " + err + " (scale " + scale + ")\nexpected " + expected
                + "\nactual   " + actual);
    }

    static Stream<Arguments> losses() {
        return Stream.of(
                Arguments.of("KD T=1", new KdLoss(1), new long[] {5, 4}, null),
                Arguments.of("KD T=3", new KdLoss(3), new long[] {5, 4}, null),
                Arguments.of("distributional", new DistributionalLoss(), new long[] {5, 4}, null),
                Arguments.of("DAD gamma=1", new DadLoss(1), new long[] {5, 4}, null),
                Arguments.of("DAD gamma=0.5", new DadLoss(0.5), new long[] {6, 3}, null),
                Arguments.of("feature, normalised", FeatureLoss.normalizedDifference(), new long[] {3, 4, 2, 2}, null),
                Arguments.of("feature, MSE", FeatureLoss.mse(), new long[] {3, 4, 2, 2}, null),
                Arguments.of("LRM", new LrmLoss(), new long[] {4, 8, 3, 3}, null),
                Arguments.of("LRM, rank 3, sequence", new LrmLoss(3), new long[] {3, 6, 5}, null),
                Arguments.of("DMD, 2 heads", new DmdLoss(2), new long[] {3, 4, 5}, null),
                Arguments.of("KD, masked row", new KdLoss(2), new long[] {5, 4}, new double[] {1, 0, 1, 1, 0}),
                Arguments.of("DAD, masked row", new DadLoss(1), new long[] {5, 4}, new double[] {1, 1, 0, 1, 1}),
                Arguments.of("feature, masked example", FeatureLoss.normalizedDifference(), new long[] {3, 4, 2, 2},
                        new double[] {1, 0, 1}),
                Arguments.of("DMD, padded positions", new DmdLoss(2), new long[] {2, 4, 5},
                        new double[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}));
    }

    static INDArray mask(double[] m, long[] shape) {
        if (m == null) {
            return null;
        }
        INDArray a = Nd4j.createFromArray(m);
        return m.length == shape[0] ? a : a.reshape(shape[0], m.length / shape[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void gradientMatchesFiniteDifferences(String name, DistillationLoss loss, long[] shape, double[] maskValues) {
        Random r = new Random(name.hashCode());
        INDArray s = random(r, shape);
        INDArray t = random(r, shape);
        INDArray m = mask(maskValues, shape);
        Map<String, INDArray> st = state(loss, shape[1]);
        DistillationLoss.Value v = loss.evaluate(s, t, m, st);
        Function<INDArray, Double> f = loss instanceof DadLoss dad ? frozenWeights(dad, s, t, m)
                : x -> loss.evaluate(x, t, m, st).loss();
        INDArray numeric = numericGradient(f, s, 1e-6);
        assertClose(numeric, v.gradient(), 1e-5);
        assertTrue(v.loss() > 0, "a random student should differ from a random teacher: " + v.loss());
    }

    /** DAD's weights are detached: its gradient is that of the loss with the weights of this point held fixed. */
    private static Function<INDArray, Double> frozenWeights(DadLoss dad, INDArray s, INDArray t, INDArray mask) {
        INDArray logP = Distributions.logSoftmax(t, 1);
        INDArray w = org.nd4j.linalg.ops.transforms.Transforms.pow(Distributions.entropy(logP)
                .muli(Distributions.entropy(Distributions.logSoftmax(s, 1))), dad.getGamma(), false);
        INDArray keep = mask == null ? Nd4j.ones(DataType.DOUBLE, s.size(0), 1) : mask.reshape(s.size(0), 1);
        double m = keep.sumNumber().doubleValue();
        w.muli(keep).muli(m / w.sumNumber().doubleValue());
        return x -> Distributions.kl(logP, Distributions.logSoftmax(x, 1)).muli(w).sumNumber().doubleValue() / m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void identicalTeacherAndStudentGiveZeroGradient(String name, DistillationLoss loss, long[] shape,
            double[] maskValues) {
        Random r = new Random(name.hashCode() + 1);
        INDArray s = random(r, shape);
        DistillationLoss.Value v = loss.evaluate(s, s.dup(), mask(maskValues, shape), state(loss, shape[1]));
        assertEquals(0, v.gradient().amaxNumber().doubleValue(), 1e-12);
        if (!(loss instanceof DistributionalLoss)) {
            assertEquals(0, v.loss(), 1e-12);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void maskedPositionsAreIgnored(String name, DistillationLoss loss, long[] shape, double[] maskValues) {
        if (maskValues == null) {
            return;
        }
        Random r = new Random(name.hashCode() + 2);
        INDArray s = random(r, shape);
        INDArray t = random(r, shape);
        INDArray m = mask(maskValues, shape);
        INDArray full = Masks.expand(m, s);
        INDArray off = full.rsub(1);
        INDArray s2 = s.add(random(r, shape).muli(off).muli(10));
        INDArray t2 = t.add(random(r, shape).muli(off).muli(10));
        DistillationLoss.Value a = loss.evaluate(s, t, m, state(loss, shape[1]));
        DistillationLoss.Value b = loss.evaluate(s2, t2, m, state(loss, shape[1]));
        assertEquals(a.loss(), b.loss(), 1e-12);
        assertEquals(0, b.gradient().mul(off).amaxNumber().doubleValue(), 0);
    }

    @Test
    void maskedRowsEqualTheLossOfTheKeptRowsAlone() {
        Random r = new Random(7);
        INDArray s = random(r, 5, 4);
        INDArray t = random(r, 5, 4);
        INDArray m = Nd4j.createFromArray(1.0, 0, 1, 1, 0);
        int[] kept = {0, 2, 3};
        for (DistillationLoss loss : List.of(new KdLoss(2), new DistributionalLoss(), new DadLoss(1))) {
            double masked = loss.evaluate(s, t, m).loss();
            double alone = loss.evaluate(s.getRows(kept), t.getRows(kept), null).loss();
            assertEquals(alone, masked, 1e-12, loss.toString());
        }
    }

    @Test
    void kdOnAHandComputedCase() {
        INDArray teacher = Nd4j.createFromArray(new double[][] {{Math.log(3), 0}});
        INDArray student = Nd4j.createFromArray(new double[][] {{0, 0}});
        double kl1 = 0.75 * Math.log(0.75 / 0.5) + 0.25 * Math.log(0.25 / 0.5);
        assertEquals(kl1, new KdLoss(1).evaluate(student, teacher, null).loss(), 1e-12);
        double p = Math.sqrt(3) / (Math.sqrt(3) + 1);
        double kl2 = p * Math.log(p / 0.5) + (1 - p) * Math.log((1 - p) / 0.5);
        assertEquals(4 * kl2, new KdLoss(2).evaluate(student, teacher, null).loss(), 1e-12);
        // dL/dz_S = T (q - p): q = 1/2, p = sqrt3/(sqrt3+1)
        INDArray g = new KdLoss(2).evaluate(student, teacher, null).gradient();
        assertEquals(2 * (0.5 - p), g.getDouble(0, 0), 1e-12);
        assertEquals(2 * (0.5 - (1 - p)), g.getDouble(0, 1), 1e-12);
    }

    @Test
    void distributionalLossIsTheCrossEntropyOfTheStudentAgainstTheTeacher() {
        INDArray teacher = Nd4j.createFromArray(new double[][] {{Math.log(3), 0}, {0, 0}});
        INDArray student = Nd4j.createFromArray(new double[][] {{0, Math.log(4)}, {0, 0}});
        double row1 = -(0.75 * Math.log(0.2) + 0.25 * Math.log(0.8));
        double row2 = Math.log(2);
        assertEquals((row1 + row2) / 2, new DistributionalLoss().evaluate(student, teacher, null).loss(), 1e-12);
    }

    @Test
    void dadWeighsAmbiguousSamplesMore() {
        // two samples with the same KL; the first has a confident teacher, the second an uncertain one
        INDArray teacher = Nd4j.createFromArray(new double[][] {{4, 0}, {0.2, 0}});
        INDArray student = Nd4j.createFromArray(new double[][] {{3, 0}, {-0.8, 0}});
        DistillationLoss.Value v = new DadLoss(1).evaluate(student, teacher, null);
        INDArray logP = Distributions.logSoftmax(teacher, 1);
        INDArray logQ = Distributions.logSoftmax(student, 1);
        INDArray kl = Distributions.kl(logP, logQ);
        INDArray w = Distributions.entropy(logP).muli(Distributions.entropy(logQ));
        w.muli(2 / w.sumNumber().doubleValue());
        assertEquals(kl.mul(w).sumNumber().doubleValue() / 2, v.loss(), 1e-12);
        assertTrue(w.getDouble(1) > 3 * w.getDouble(0), "the uncertain sample weighs more: " + w);
        // gamma 0: plain KD at T = 1
        assertEquals(new KdLoss(1).evaluate(student, teacher, null).loss(),
                new DadLoss(0).evaluate(student, teacher, null).loss(), 1e-12);
    }

    @Test
    void featureLossesOnHandComputedCases() {
        INDArray s = Nd4j.createFromArray(new double[][] {{3, 0}, {0, 4}});
        INDArray t = Nd4j.createFromArray(new double[][] {{0, 0}, {0, 2}});
        assertEquals((9 + 4) / 4.0, FeatureLoss.mse().evaluate(s, t, null).loss(), 1e-12);
        // s/||s|| = (0.6, 0, 0, 0.8), t/||t|| = (0, 0, 0, 1): distance sqrt(0.36 + 0.04)
        assertEquals(Math.sqrt(0.4), FeatureLoss.normalizedDifference().evaluate(s, t, null).loss(), 1e-12);
        // normalised: scale-free in both arguments
        assertEquals(0, FeatureLoss.normalizedDifference().evaluate(s.mul(3), s, null).loss(), 1e-12);
    }

    @Test
    void lrmKeepsTheTeachersTopPrincipalDirectionsFromTheFirstBatch() {
        Random r = new Random(3);
        // teacher rows with most variance along two known directions of 8 channels
        INDArray basis = random(r, 8, 8);
        INDArray scales = Nd4j.createFromArray(5.0, 3, 0.3, 0.2, 0.1, 0.1, 0.05, 0.05).reshape(1, 8);
        INDArray teacher = random(r, 400, 8).muliRowVector(scales).mmul(basis);
        LrmLoss loss = new LrmLoss();
        Map<String, INDArray> st = state(loss, 8);
        assertEquals(2, loss.rank(8));
        loss.evaluate(random(r, 400, 8), teacher, null, st);
        INDArray k = st.get(LrmLoss.DIRECTIONS);
        assertEquals(1, st.get(LrmLoss.INITIALISED).getDouble(0));
        assertClose(Nd4j.eye(2).castTo(DataType.DOUBLE), k.transpose().mmul(k), 1e-9);
        INDArray centred = teacher.subRowVector(teacher.mean(0));
        INDArray cov = centred.transpose().mmul(centred).divi(399);
        INDArray values = Eigen(cov);
        INDArray projected = k.transpose().mmul(cov).mmul(k);
        assertEquals(values.getDouble(7), projected.getDouble(0, 0), 1e-8);
        assertEquals(values.getDouble(6), projected.getDouble(1, 1), 1e-8);
        // cached: a different teacher batch leaves the directions alone
        INDArray before = k.dup();
        loss.evaluate(random(r, 50, 8), random(r, 50, 8), null, st);
        assertEquals(before, st.get(LrmLoss.DIRECTIONS));
        // the loss only sees differences inside the kept subspace
        INDArray s = random(r, 50, 8);
        INDArray orthogonal = random(r, 50, 8);
        orthogonal.subi(orthogonal.mmul(k).mmul(k.transpose()));
        assertEquals(loss.evaluate(s, teacher.get(NDArrayIndex.interval(0, 50)), null, st).loss(),
                loss.evaluate(s.add(orthogonal), teacher.get(NDArrayIndex.interval(0, 50)), null, st).loss(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> loss.evaluate(s, s, null));
    }

    private static INDArray Eigen(INDArray symmetric) {
        INDArray a = symmetric.dup('f');
        return org.nd4j.linalg.eigen.Eigen.symmetricGeneralizedEigenvalues(a, true);
    }

    @Test
    void dmdMatchesADirectComputationOfTheSimilarityMatrices() {
        Random r = new Random(11);
        int n = 2, heads = 2, d = 3, len = 4;
        INDArray s = random(r, n, heads * d, len);
        INDArray t = random(r, n, heads * d, len);
        double ss = 0, tt = 0;
        double[][][][] ps = new double[n][heads][len][len];
        double[][][][] pt = new double[n][heads][len][len];
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < len; i++) {
                    for (int j = 0; j < len; j++) {
                        double a = 0, c = 0;
                        for (int k = 0; k < d; k++) {
                            a += s.getDouble(b, h * d + k, i) * s.getDouble(b, h * d + k, j);
                            c += t.getDouble(b, h * d + k, i) * t.getDouble(b, h * d + k, j);
                        }
                        ps[b][h][i][j] = a / Math.sqrt(d);
                        pt[b][h][i][j] = c / Math.sqrt(d);
                        ss += ps[b][h][i][j] * ps[b][h][i][j];
                        tt += pt[b][h][i][j] * pt[b][h][i][j];
                    }
                }
            }
        }
        double sum = 0;
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < len; i++) {
                    for (int j = 0; j < len; j++) {
                        double diff = ps[b][h][i][j] / Math.sqrt(ss) - pt[b][h][i][j] / Math.sqrt(tt);
                        sum += diff * diff;
                    }
                }
            }
        }
        assertEquals(Math.sqrt(sum), new DmdLoss(heads).evaluate(s, t, null).loss(), 1e-12);
    }

    @Test
    void dmdCutsSimilaritiesAtMinus100() {
        // one position with a huge negative similarity to the others: its entries are cut, as BiBERT's code does
        INDArray s = Nd4j.createFromArray(new double[][][] {{{1, 2, -60}, {0.5, 1, -60}}});
        INDArray t = s.dup();
        t.putScalar(0, 0, 2, -70);
        DmdLoss dmd = new DmdLoss(1);
        INDArray p = Nd4j.matmul(s, s, true, false, false).divi(Math.sqrt(2));
        assertTrue(p.minNumber().doubleValue() <= DmdLoss.CUT);
        DistillationLoss.Value v = dmd.evaluate(s, t, null);
        assertTrue(Double.isFinite(v.loss()));
        INDArray numeric = numericGradient(x -> dmd.evaluate(x, t, null).loss(), s, 1e-6);
        assertClose(numeric, v.gradient(), 1e-5);
        assertNotNull(dmd.incompatibility(new long[] {4, 5}, new long[] {4, 6}));
        assertNotNull(new DmdLoss(2).incompatibility(new long[] {4, 5}, new long[] {3, 5}));
        assertEquals(null, new DmdLoss(2).incompatibility(new long[] {4, 5}, new long[] {8, 5}));
    }

    @Test
    void teacherLayerMapping() {
        assertEquals(2, LayerMapping.attentionLayer(0, 4, 12));
        assertEquals(11, LayerMapping.attentionLayer(3, 4, 12));
        assertEquals(0, LayerMapping.hiddenState(0, 4, 12));
        assertEquals(12, LayerMapping.hiddenState(4, 4, 12));
        assertEquals(3, LayerMapping.attentionLayer(3, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> LayerMapping.attentionLayer(0, 4, 6));
        assertThrows(IllegalArgumentException.class, () -> LayerMapping.attentionLayer(4, 4, 8));
        assertThrows(IllegalArgumentException.class, () -> LayerMapping.hiddenState(5, 4, 8));
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new KdLoss(0));
        assertThrows(IllegalArgumentException.class, () -> new KdLoss(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new DadLoss(-1));
        assertThrows(IllegalArgumentException.class, () -> new LrmLoss(-2));
        assertThrows(IllegalArgumentException.class, () -> new DmdLoss(0));
        INDArray a = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> new KdLoss().evaluate(a, Nd4j.zeros(DataType.DOUBLE, 3, 5),
                null));
        assertThrows(IllegalArgumentException.class, () -> new KdLoss().evaluate(a, a, Nd4j.ones(DataType.DOUBLE, 4)));
    }
}
