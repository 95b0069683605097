package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.estimators.TestArrays.assertClose;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.qat4j.estimators.fp.FpFormat;
import org.qat4j.estimators.fp.FpQuantizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.schedule.BiPerTauSchedule;
import org.qat4j.estimators.schedule.CosineRampSchedule;
import org.qat4j.estimators.schedule.FloorLinearSchedule;
import org.qat4j.estimators.schedule.LinearRampSchedule;
import org.qat4j.estimators.sign.ReSteEstimator;

class QuantizerRegistryTest {

    private final Random rnd = new Random(1);

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void everyEntryIsCreatedWithDefaultsAndRunsInFloatAndDouble() {
        for (QuantizerRegistry.Entry e : QuantizerRegistry.entries()) {
            Object o = QuantizerRegistry.create(e.name(), Map.of());
            if (!(o instanceof Quantizer q)) {
                assertEquals(QuantizerRegistry.Category.WEIGHT_SCALING, e.category(), e.name());
                continue;
            }
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                INDArray x = TestArrays.random(rnd, 2, 3, 4, 5).castTo(type);
                Map<String, INDArray> p = Params.allocate(q, x.shape(), type);
                INDArray y = q.forward(x, p);
                assertEquals(type, y.dataType(), e.name());
                assertTrue(java.util.Arrays.equals(x.shape(), y.shape()), e.name());
                QuantGradient g = q.backward(x, p, x.ulike().assign(1.0));
                assertEquals(type, g.input().dataType(), e.name());
                assertTrue(java.util.Arrays.equals(x.shape(), g.input().shape()), e.name());
                for (ParamSpec spec : q.paramSpecs(x.shape())) {
                    if (spec.trainable()) {
                        INDArray pg = g.param(spec.name());
                        assertEquals(spec.length(), pg.length(), e.name() + "." + spec.name());
                    }
                }
                assertTrue(!y.isNaN().any() && !y.isInfinite().any(), e.name() + " produced NaN/inf");
            }
        }
    }

    @Test
    void unknownNamesAndKeysAreRejectedWithWhatIsKnown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerRegistry.create("sgn", Map.of()));
        assertTrue(e.getMessage().contains("unknown estimator 'sgn'") && e.getMessage().contains("reste"));
        e = assertThrows(IllegalArgumentException.class, () -> QuantizerRegistry.create("reste", Map.of("x", "1")));
        assertTrue(e.getMessage().contains("unknown parameter 'x' for 'reste'; known: o, t, d"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantizerRegistry.create("approx", Map.of("c", "1")));
        assertTrue(e.getMessage().contains("no parameters"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantizerRegistry.quantizer("xnor", Map.of()));
        assertTrue(e.getMessage().contains("scaling rule"), e.getMessage());
    }

    @Test
    void badValuesNameTheParameterAndItsRange() {
        String[][] cases = {
            {"reste", "o", "0", "reste: o must be a finite number > 0"},
            {"reste", "o", "-2", "o must be a finite number > 0 (got -2.0)"},
            {"reste", "o", "abc", "o must be a number"},
            {"ste", "clip", "-1", "clip must be >= 0"},
            {"lsq", "bits", "9", "bits must be in 1..8"},
            {"lsq", "bits", "0", "bits must be in 1..8"},
            {"lsq", "bits", "2.5", "bits must be an integer"},
            {"lsq", "signed", "maybe", "signed must be true or false"},
            {"lmb", "order", "0", "order must be in 1..8"},
            {"pb", "fraction", "1.5", "fraction must be in [0.0, 1.0]"},
            {"biper", "stage", "3", "stage must be in 1..2"},
            {"e4m3", "scale", "median", "scale must be one of [none, max, learned]"},
            {"fp-flex", "e", "9", "exponentBits must be in 1..5"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QuantizerRegistry.create(c[0], Map.of(c[1], c[2])), String.join(" ", c));
            assertTrue(e.getMessage().contains(c[3]), c[0] + ": " + e.getMessage());
        }
        assertEquals(Double.POSITIVE_INFINITY,
                ((org.qat4j.estimators.sign.SteEstimator) QuantizerRegistry.create("ste", Map.of("clip", "inf")))
                        .getClip());
    }

    @Test
    void configurationsRoundTripThroughJson() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ReSteEstimator reste = new ReSteEstimator(2.0, 1.2, 0.2);
        reste.setOSchedule(new CosineRampSchedule(1, 3, 7));
        Quantizer[] qs = {
            reste,
            new BinaryWeightQuantizer(new ReSteEstimator(), new LearnedScaling(true), 1),
            new FpQuantizer(FpFormat.E5M2, FpQuantizer.ScaleMode.LEARNED, 0),
            QuantizerRegistry.quantizer("lsq", Map.of("bits", "4", "signed", "false")),
            QuantizerRegistry.quantizer("fp-adaround", Map.of("format", "e2m1")),
            QuantizerRegistry.quantizer("lmb", Map.of("order", "3")),
        };
        for (Quantizer q : qs) {
            String json = mapper.writeValueAsString(q);
            Quantizer back = mapper.readValue(json, Quantizer.class);
            assertEquals(q.getClass(), back.getClass());
            assertEquals(json, mapper.writeValueAsString(back));
        }
        ReSteEstimator back = (ReSteEstimator) mapper.readValue(mapper.writeValueAsString(reste), Quantizer.class);
        back.onProgress(7, 0);
        assertEquals(3.0, back.getO(), 1e-12);
        INDArray x = TestArrays.random(rnd, 10);
        reste.onProgress(7, 0);
        assertClose(reste.derivative(x), back.derivative(x), 0);
    }

    /** A configuration read from JSON (a checkpoint) is validated like one built in code. */
    @Test
    void configurationsFromJsonAreValidated() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Object[][] cases = {
            {new LinearRampSchedule(20, 2, 100), "\"iterations\":100", "\"iterations\":0", "iterations"},
            {new FloorLinearSchedule(9, 9, 10), "\"totalEpochs\":10", "\"totalEpochs\":0", "totalEpochs"},
            {new BiPerTauSchedule(0.01, 0.05, 8), "\"tauMin\":0.01", "\"tauMin\":-1.0", "tauMin"},
            {new FpQuantizer(FpFormat.E4M3, FpQuantizer.ScaleMode.MAX, 0), "\"scaleMode\":\"MAX\"",
                "\"scaleMode\":null", "scale"},
        };
        for (Object[] c : cases) {
            String json = mapper.writeValueAsString(c[0]);
            assertTrue(json.contains((String) c[1]), json);
            assertEquals(c[0], mapper.readValue(json, c[0].getClass()));
            String bad = json.replace((String) c[1], (String) c[2]);
            Exception e = assertThrows(Exception.class, () -> mapper.readValue(bad, c[0].getClass()), bad);
            assertTrue(e.getMessage().contains((String) c[3]), e.getMessage());
        }
    }

    @Test
    void schedulesFollowTheirFormulas() {
        CosineRampSchedule cos = new CosineRampSchedule(1, 3, 10);
        assertEquals(1.0, cos.valueAt(0, 0), 1e-12);
        assertEquals(1 + 2 * (1 - Math.cos(Math.PI / 2 * 0.3)), cos.valueAt(999, 3), 1e-12);
        assertEquals(3.0, cos.valueAt(0, 10), 1e-12);
        assertEquals(3.0, cos.valueAt(0, 25), 1e-12);
        BiPerTauSchedule tau = new BiPerTauSchedule(0.01, 0.05, 8);
        assertEquals(0.01, tau.valueAt(0, 0), 1e-15);
        assertEquals(0.05, tau.valueAt(0, 8), 1e-15);
        double a = 0.04 / (Math.E - 1);
        assertEquals(a * Math.exp(0.5) + 0.01 - a, tau.valueAt(0, 4), 1e-15);
        FloorLinearSchedule n = new FloorLinearSchedule(9, 9, 10);
        assertEquals(9.0, n.valueAt(0, 0));
        assertEquals(13.0, n.valueAt(0, 5));
        assertEquals(17.0, n.valueAt(0, 9));
        LinearRampSchedule beta = new LinearRampSchedule(20, 2, 100);
        assertEquals(20.0, beta.valueAt(0, 0));
        assertEquals(11.0, beta.valueAt(50, 0));
        assertEquals(2.0, beta.valueAt(500, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CosineRampSchedule(1, 3, 0));
        assertTrue(e.getMessage().contains("totalEpochs must be in 1.."), e.getMessage());
    }
}
