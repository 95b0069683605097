package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.qat4j.estimators.multibit.RowCentredBinarizer;

class RowCentredBinarizerTest {

    private final Random rnd = new Random(23);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void forwardHandValues() {
        INDArray w = mat(new double[][] {{0.5, -1.0, 0.25, 0.25}, {1.0, 2.0, 3.0, 6.0}});
        // row 0: mean 0, alpha = mean|W| = 0.5; row 1: mean 3, W_c = [-2, -1, 0, 3], alpha = mean|W| = 3 (not
        // mean|W_c| = 1.5), sign(0) = +1
        assertClose(mat(new double[][] {{0.5, -0.5, 0.5, 0.5}, {-3, -3, 3, 3}}),
                new RowCentredBinarizer().forward(w), 1e-12);
        double all = (0.5 + 1 + 0.25 + 0.25 + 1 + 2 + 3 + 6) / 8;
        // one row for the whole tensor: mean 1.5
        assertClose(mat(new double[][] {{-all, -all, -all, -all}, {-all, all, all, all}}),
                new RowCentredBinarizer(1.0, Nd.PER_TENSOR).forward(w), 1e-12);
    }

    /** Random weights whose centred values all keep {@code margin} away from the clip kinks +-c. */
    private INDArray awayFromKinks(RowCentredBinarizer q, long... shape) {
        while (true) {
            INDArray w = TestArrays.random(rnd, shape).muli(0.9);
            int[] axes = Nd.reduceAxes(w.rank(), q.getChannelAxis());
            INDArray distance = Transforms.abs(Transforms.abs(w.sub(w.mean(true, axes)), true).subi(q.getClip()),
                    false);
            if (distance.minNumber().doubleValue() > 1e-3) {
                return w;
            }
        }
    }

    /** The backward is the exact gradient of the surrogate sum g clamp(W - rowmean(W), -c, c). */
    @Test
    void backwardMatchesTheSurrogateByFiniteDifferences() {
        RowCentredBinarizer[] qs = {new RowCentredBinarizer(), new RowCentredBinarizer(0.5, 1),
            new RowCentredBinarizer(1.0, Nd.PER_TENSOR)};
        long[][] shapes = {{4, 7}, {5, 3}, {3, 2, 2, 2}};
        for (int k = 0; k < qs.length; k++) {
            RowCentredBinarizer q = qs[k];
            INDArray w0 = awayFromKinks(q, shapes[k]);
            INDArray g = TestArrays.random(rnd, shapes[k]);
            int[] axes = Nd.reduceAxes(w0.rank(), q.getChannelAxis());
            double c = q.getClip();
            Function<INDArray, Double> surrogate = w -> {
                INDArray wc = w.sub(w.mean(true, axes));
                return Transforms.min(Transforms.max(wc, -c, false), c, false).muli(g).sumNumber().doubleValue();
            };
            INDArray expected = TestArrays.gradient(surrogate, w0, 1e-6);
            assertClose(expected, q.backward(w0, g).input(), 1e-6);
        }
    }

    @Test
    void gradientRowsSumToZeroAndTheIdentityClipCentresTheGradient() {
        INDArray w = TestArrays.random(rnd, 6, 9);
        INDArray g = TestArrays.random(rnd, 6, 9);
        INDArray grad = new RowCentredBinarizer().backward(w, g).input();
        assertClose(Nd4j.zeros(DataType.DOUBLE, 6), grad.sum(1), 1e-12);
        INDArray identity = new RowCentredBinarizer(Double.POSITIVE_INFINITY, 0).backward(w, g).input();
        assertClose(g.sub(g.mean(true, 1)), identity, 1e-12);
    }

    @Test
    void registeredAsBibertAndRoundTripsThroughJson() throws Exception {
        Quantizer q = QuantizerRegistry.quantizer("bibert", Map.of("clip", "inf", "axis", "1"));
        assertTrue(q instanceof RowCentredBinarizer);
        assertEquals(Double.POSITIVE_INFINITY, ((RowCentredBinarizer) q).getClip());
        assertEquals(1, ((RowCentredBinarizer) q).getChannelAxis());
        assertEquals(1.0, q.bitsPerValue());
        ObjectMapper mapper = new ObjectMapper();
        RowCentredBinarizer half = new RowCentredBinarizer(0.5, 0);
        assertEquals(half, mapper.readValue(mapper.writeValueAsString(half), Quantizer.class));
    }
}
