package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.BiPerEstimator;
import org.qat4j.estimators.sign.SteEstimator;

class QuantizingTest {

    @Test
    void everyQuantizerOfALayerIsListedAndAdvancedBySchedule() {
        BiPerEstimator biper = new BiPerEstimator(Math.PI, 1);
        biper.setStageSchedule(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 1.0, 5, 2.0)));
        BinaryWeightQuantizer weights = new BinaryWeightQuantizer(biper, new XnorScaling(), 0);
        SteEstimator inputs = new SteEstimator(1.0);
        QuantConv2D conv = new QuantConv2D.Builder().nOut(4).kernelSize(3, 3).weightQuantizer(weights)
                .inputQuantizer(inputs).build();
        assertEquals(List.of(weights, inputs), conv.quantizers());
        assertEquals(32.0, weights.bitsPerValue());
        conv.onProgress(4, 40);
        assertEquals(1, biper.getStage());
        conv.onProgress(5, 50);
        assertEquals(2, biper.getStage());
        assertEquals(1.0, weights.bitsPerValue());

        assertEquals(List.of(), new QuantDense.Builder().nOut(3).build().quantizers());
        QuantActivation act = QuantActivation.rsign().build();
        assertEquals(List.of(act.getQuantizer()), act.quantizers());
    }
}
