package org.qat4j.layers.sequence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantDense;
import org.qat4j.layers.summary.ModelSummary;

class SequenceSummaryTest {

    private static final InputType IDS = InputType.recurrent(1, 16);

    private static MultiLayerConfiguration conf() {
        return new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new TokenEmbedding.Builder().name("emb").vocabularySize(100).nOut(8)
                        .weightQuantizer("bibert", Map.of()).build())
                .layer(new PositionEmbedding.Builder().name("pos").maxLength(16).build())
                .layer(new LayerNorm.Builder().name("ln").build())
                .layer(new QuantActivation.Builder().name("sign").quantizer(new SteEstimator()).build())
                .layer(new QuantDense.Builder().name("fc").nOut(12).weightQuantizer("bibert", Map.of()).build())
                .layer(new FirstTokenPooling.Builder().name("cls").build())
                .layer(SequenceChecks.head(2))
                .setInputType(IDS).build();
    }

    @Test
    void sequenceLayersShowTheirParamsShapesAndMacs() {
        MultiLayerNetwork net = new MultiLayerNetwork(conf());
        net.init();
        ModelSummary s = ModelSummary.of(net, IDS);
        ModelSummary.Row emb = s.rows().get(0);
        assertEquals("TokenEmbedding", emb.type());
        assertEquals(Map.of(1.0, 800L), emb.paramsByBits());
        assertEquals("(-1, 8, 16)", emb.outputShape());
        assertEquals(0, emb.binaryMacs() + emb.lowBitMacs() + emb.floatMacs());
        assertEquals(Map.of(32.0, 8L * 16), s.rows().get(1).paramsByBits());
        assertEquals(Map.of(32.0, 16L), s.rows().get(2).paramsByBits());
        ModelSummary.Row fc = s.rows().get(4);
        assertEquals("1-bit", fc.inputPrecision());
        assertEquals(Map.of(1.0, 96L, 32.0, 12L), fc.paramsByBits());
        assertEquals(8 * 12 * 16, fc.binaryMacs());
        assertEquals("(-1, 12)", s.rows().get(5).outputShape());
    }

    @Test
    void memoryReportsForIdsDeclaredEitherWay() {
        for (InputType in : new InputType[] {IDS, InputType.feedForward(16)}) {
            long bytes = conf().getMemoryReport(in).getTotalMemoryBytes(32, MemoryUseMode.TRAINING, CacheMode.NONE,
                    DataType.FLOAT);
            assertTrue(bytes > 0, in.toString());
        }
    }
}
