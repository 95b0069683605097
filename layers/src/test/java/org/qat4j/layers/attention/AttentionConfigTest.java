package org.qat4j.layers.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryType;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.schedule.CosineRampSchedule;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.ReSteEstimator;
import org.qat4j.estimators.sign.SteEstimator;

/** Configuration: JSON and model round trips, output types, refusals, schedules. */
class AttentionConfigTest {

    private static final long N = 3;
    private static final long SIZE = 8;
    private static final long LENGTH = 6;

    @TempDir
    Path dir;

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static AttentionScores binaryScores() {
        return new AttentionScores.Builder().heads(2).queryQuantizer(new SteEstimator(0.5))
                .keyQuantizer("approx", Map.of()).build();
    }

    private static AttentionContext softmaxAware() {
        return new AttentionContext.Builder().heads(2).function(AttentionFunction.SOFTMAX_AWARE).beta(0.3)
                .valueQuantizer(new SteEstimator()).build();
    }

    private static ComputationGraphConfiguration conf(WorkspaceMode mode) {
        return AttentionGraphs.projected(SIZE, LENGTH, binaryScores(), softmaxAware(), mode, new Adam(1e-2));
    }

    @Test
    void configurationsSurviveJson() {
        ComputationGraphConfiguration conf = conf(WorkspaceMode.ENABLED);
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        assertEquals(conf, back);
        AttentionScores scores = (AttentionScores) back.getVertices().get("scores");
        assertEquals(binaryScores(), scores);
        assertEquals(new ApproxSignEstimator(), scores.getKeyQuantizer());
        AttentionContext context = (AttentionContext) back.getVertices().get("context");
        assertEquals(softmaxAware(), context);
        assertEquals(0.3, context.getBeta());
        assertEquals(new AttentionContext(), new AttentionContext.Builder().build());
        assertEquals(binaryScores(), binaryScores().clone());
    }

    @Test
    void graphWithAttentionSavesLoadsAndTrainsOnIdentically() throws Exception {
        INDArray x = AttentionGraphs.gaussian(1, N, SIZE, LENGTH);
        INDArray mask = AttentionGraphs.mask(N, LENGTH);
        MultiDataSet data = new MultiDataSet(new INDArray[] {x}, new INDArray[] {AttentionGraphs.oneHot(2, N)},
                new INDArray[] {mask}, null);
        ComputationGraph g = new ComputationGraph(conf(WorkspaceMode.ENABLED));
        g.init();
        g.fit(data);
        File file = dir.resolve("attention.zip").toFile();
        ModelSerializer.writeModel(g, file, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(g.getConfiguration(), back.getConfiguration());
        INDArray[] in = {x};
        INDArray[] masks = {mask};
        assertEquals(g.output(false, in, masks)[0], back.output(false, in, masks)[0]);
        g.fit(data);
        back.fit(data);
        assertEquals(g.params(), back.params());
    }

    @Test
    void outputTypesAndMemoryReport() {
        InputType in = InputType.recurrent(SIZE, LENGTH);
        ComputationGraphConfiguration conf = conf(WorkspaceMode.ENABLED);
        Map<String, InputType> types = conf.getLayerActivationTypes(in);
        assertEquals(InputType.convolutional(LENGTH, LENGTH, 2), types.get("scores"));
        assertEquals(in, types.get("context"));
        NetworkMemoryReport report = conf.getMemoryReport(in);
        for (String vertex : new String[] {"scores", "context"}) {
            MemoryReport r = report.getLayerAndVertexReports().get(vertex);
            assertEquals(0, r.getMemoryBytes(MemoryType.PARAMETERS, 1, MemoryUseMode.TRAINING, CacheMode.NONE,
                    DataType.FLOAT));
            assertTrue(r.getMemoryBytes(MemoryType.ACTIVATIONS, 1, MemoryUseMode.TRAINING, CacheMode.NONE,
                    DataType.FLOAT) > 0);
            assertTrue(r.getMemoryBytes(MemoryType.WORKING_MEMORY_VARIABLE, 1, MemoryUseMode.TRAINING,
                    CacheMode.NONE, DataType.FLOAT) > 0);
        }
        assertEquals(4L * N * 2 * LENGTH * LENGTH, report.getLayerAndVertexReports().get("scores").getMemoryBytes(
                MemoryType.ACTIVATIONS, (int) N, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT));
    }

    @Test
    void parameterisedQuantizersAreRefused() {
        LsqQuantizer lsq = new LsqQuantizer(2, true, false);
        DL4JInvalidConfigException e = assertThrows(DL4JInvalidConfigException.class,
                () -> new AttentionScores.Builder().queryQuantizer(lsq).build());
        assertTrue(e.getMessage().contains("AttentionScores: queryQuantizer LsqQuantizer declares parameters"),
                e.getMessage());
        assertTrue(e.getMessage().contains("parameter-free"), e.getMessage());
        assertThrows(DL4JInvalidConfigException.class, () -> new AttentionScores.Builder().keyQuantizer("lsq",
                Map.of("bits", "4")).build());
        e = assertThrows(DL4JInvalidConfigException.class,
                () -> new AttentionContext.Builder().valueQuantizer(lsq).build());
        assertTrue(e.getMessage().startsWith("AttentionContext: valueQuantizer LsqQuantizer"), e.getMessage());
    }

    @Test
    void badSettingsGiveOneClearMessage() {
        assertEquals("AttentionScores: heads must be >= 1 (got 0)", assertThrows(DL4JInvalidConfigException.class,
                () -> new AttentionScores.Builder().heads(0).build()).getMessage());
        assertEquals("AttentionContext: beta must be in (0, 1] (got 1.5)",
                assertThrows(DL4JInvalidConfigException.class,
                        () -> new AttentionContext.Builder().beta(1.5).build()).getMessage());
        assertThrows(DL4JInvalidConfigException.class, () -> new AttentionContext.Builder().beta(0).build());
        assertThrows(DL4JInvalidConfigException.class, () -> new AttentionContext.Builder().function(null).build());
        assertTrue(assertThrows(DL4JInvalidConfigException.class, () -> new AttentionScores.Builder()
                .queryQuantizer("no-such-quantizer", Map.of()).build()).getMessage()
                .startsWith("AttentionScores: queryQuantizer: "));

        AttentionScores threeHeads = new AttentionScores.Builder().heads(3).build();
        assertTrue(assertThrows(DL4JInvalidConfigException.class, () -> threeHeads.getOutputType(-1,
                InputType.recurrent(SIZE, LENGTH), InputType.recurrent(SIZE, LENGTH))).getMessage()
                .contains("size 8 is not a multiple of 3 heads"));
        assertTrue(assertThrows(DL4JInvalidConfigException.class, () -> binaryScores().getOutputType(-1,
                InputType.recurrent(SIZE), InputType.recurrent(SIZE))).getMessage()
                .contains("needs a known sequence length"));
        assertTrue(assertThrows(DL4JInvalidConfigException.class, () -> softmaxAware().getOutputType(-1,
                InputType.convolutional(LENGTH, LENGTH, 4), InputType.recurrent(SIZE, LENGTH))).getMessage()
                .contains("scores must be [N, 2, 6, 6]"));
    }

    @Test
    void quantizersAreListedAndTheirSchedulesAdvanceInTraining() {
        ReSteEstimator reste = new ReSteEstimator();
        reste.setOSchedule(new CosineRampSchedule(1, 3, 4));
        SteEstimator ste = new SteEstimator();
        AttentionScores scores = new AttentionScores.Builder().heads(2).queryQuantizer(reste).keyQuantizer(ste)
                .build();
        assertEquals(List.of(reste, ste), scores.quantizers());
        assertEquals(List.of(), new AttentionContext.Builder().build().quantizers());
        scores.onProgress(4, 0);
        assertEquals(3.0, reste.getO(), 1e-12);

        ComputationGraph g = new ComputationGraph(AttentionGraphs.projected(SIZE, LENGTH, scores, softmaxAware(),
                WorkspaceMode.ENABLED, new Adam(1e-2)));
        g.init();
        g.getConfiguration().setEpochCount(2);
        g.fit(new MultiDataSet(new INDArray[] {AttentionGraphs.gaussian(3, N, SIZE, LENGTH)},
                new INDArray[] {AttentionGraphs.oneHot(4, N)}));
        ReSteEstimator inGraph = (ReSteEstimator) ((AttentionScores) g.getConfiguration().getVertices().get("scores"))
                .getQueryQuantizer();
        assertEquals(new CosineRampSchedule(1, 3, 4).valueAt(0, 2), inGraph.getO(), 1e-12);
    }
}
