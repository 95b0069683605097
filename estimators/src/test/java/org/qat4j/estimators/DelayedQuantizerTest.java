package org.qat4j.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.estimators.schedule.DelayedQuantizer;

class DelayedQuantizerTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void fullPrecisionBeforeItsIterationThenTheInnerQuantizerInitialisedAtTheSwitch() {
        LmbBinarizer lmb = new LmbBinarizer(2, 0);
        DelayedQuantizer q = new DelayedQuantizer(lmb, 3);
        Nd4j.getRandom().setSeed(5);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 4, 6).muli(0.3);
        INDArray g = Nd4j.randn(DataType.DOUBLE, 4, 6);
        Map<String, INDArray> p = Params.allocate(q, w.shape(), DataType.DOUBLE);
        Map<String, INDArray> reference = Params.allocate(lmb, w.shape(), DataType.DOUBLE);
        assertEquals(reference.keySet(), p.keySet(), "the layout is the inner quantizer's from the start");
        for (int it = 0; it < 3; it++) {
            q.onProgress(0, it);
            assertFalse(q.switchedOn());
            assertEquals(w, q.forward(w, p));
            QuantGradient back = q.backward(w, p, g);
            assertEquals(g, back.input());
            for (ParamSpec s : lmb.paramSpecs(w.shape())) {
                if (s.trainable()) {
                    assertEquals(0.0, back.param(s.name()).norm1Number().doubleValue(), s.name());
                }
            }
            assertEquals(0.0, p.get(Params.INITIALISED).getDouble(0), "no state touched before the switch");
        }
        q.onProgress(0, 3);
        assertTrue(q.switchedOn());
        INDArray expected = lmb.forward(w, reference);
        assertEquals(expected, q.forward(w, p), "the switched-on forward is the inner quantizer's, freshly initialised");
        assertEquals(1.0, p.get(Params.INITIALISED).getDouble(0));
        QuantGradient inner = lmb.backward(w, reference, g);
        QuantGradient outer = q.backward(w, p, g);
        assertEquals(inner.input(), outer.input());
        assertEquals(inner.params(), outer.params());
        assertEquals(lmb.bitsPerValue(), q.bitsPerValue());
    }

    @Test
    void jsonRoundTripKeepsTheConfigurationNotTheState() throws Exception {
        DelayedQuantizer q = new DelayedQuantizer(new LmbBinarizer(1, 0), 7);
        q.onProgress(1, 100);
        ObjectMapper json = new ObjectMapper();
        Quantizer back = json.readValue(json.writeValueAsString(q), Quantizer.class);
        assertEquals(q, back);
        assertFalse(((DelayedQuantizer) back).switchedOn(), "a restored configuration learns its state from progress");
        back.onProgress(0, 7);
        assertTrue(((DelayedQuantizer) back).switchedOn());
    }

    @Test
    void refusesNoQuantizerAndNegativeStarts() {
        assertThrows(IllegalArgumentException.class, () -> new DelayedQuantizer(null, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DelayedQuantizer(new LmbBinarizer(1, 0), -1));
        assertTrue(e.getMessage().contains("start iteration"), e.getMessage());
    }
}
