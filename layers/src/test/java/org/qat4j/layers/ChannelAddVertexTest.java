package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.layers.summary.ModelSummary;

/**
 * The vertex against a plain loop, and a time-conditioned U-Net block using all three new pieces: gradient checks,
 * JSON and model round trips, model summary, refusals.
 */
class ChannelAddVertexTest {

    private static final int N = 3;
    private static final int C = 4;
    private static final int SIZE = 4;

    @TempDir
    Path dir;

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /**
     * A U-Net residual block's time conditioning: conv(x) + dense(embed(t')) -> GroupNorm -> MSE head. The timestep
     * t' comes from a dense layer on t so that gradient checks reach the embedding's derivative too.
     */
    private static ComputationGraphConfiguration block(WorkspaceMode mode, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(updater)
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                .graphBuilder().addInputs("x", "t")
                .addLayer("conv", new QuantConv2D.Builder().nOut(C).kernelSize(3, 3).padding(1, 1)
                        .activation(Activation.IDENTITY).build(), "x")
                .addLayer("tin", new DenseLayer.Builder().nOut(1).activation(Activation.IDENTITY).build(), "t")
                .addLayer("temb", new SinusoidalEmbedding.Builder().dim(6).maxPeriod(100).build(), "tin")
                .addLayer("proj", new DenseLayer.Builder().nOut(C).activation(Activation.TANH).build(), "temb")
                .addVertex("add", new ChannelAddVertex(), "conv", "proj")
                .addLayer("gn", new GroupNorm.Builder().groups(2).build(), "add")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).nOut(3).build(), "gn")
                .setOutputs("out").setInputTypes(InputType.convolutional(SIZE, SIZE, 2), InputType.feedForward(1))
                .build();
    }

    private static MultiDataSet data(long seed) {
        return new MultiDataSet(new INDArray[] {GradientCheckSupport.random(seed, N, 2, SIZE, SIZE),
            GradientCheckSupport.random(seed + 1, N, 1).muli(3)},
                new INDArray[] {GradientCheckSupport.random(seed + 2, N, 3)});
    }

    /** The vertex alone between two inputs, with a CNN loss layer to make a graph of it. */
    private static ComputationGraph direct() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .graphBuilder().addInputs("x", "v").addVertex("add", new ChannelAddVertex(), "x", "v")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "add")
                .setOutputs("loss").setInputTypes(InputType.convolutional(3, 2, C), InputType.feedForward(C))
                .build());
        g.init();
        return g;
    }

    @Test
    void forwardAddsTheVectorAtEveryPosition() {
        INDArray x = GradientCheckSupport.random(1, 2, C, 3, 2);
        INDArray v = GradientCheckSupport.random(2, 2, C);
        INDArray y = direct().feedForward(new INDArray[] {x, v}, false).get("add");
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < C; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 2; j++) {
                        assertEquals(x.getDouble(n, c, i, j) + v.getDouble(n, c), y.getDouble(n, c, i, j), 1e-15);
                    }
                }
            }
        }
    }

    /** The output layer's weights, most of the parameters, are left out: DL4J's own layer, checked upstream. */
    @Test
    void gradientCheckOfTheTimeConditionedBlock() {
        MultiDataSet d = data(3);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            ComputationGraph g = new ComputationGraph(block(mode, new NoOp()));
            g.init();
            g.params().assign(GradientCheckSupport.random(99, g.params().length()).muli(0.5)
                    .reshape(g.params().shape()));
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(d.getFeatures()).labels(d.getLabels()).excludeParams(Set.of("out_W"))
                    .epsilon(1e-6).maxRelError(1e-5)
                    .minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)),
                    "gradient check failed (" + mode + ")");
        }
    }

    @Test
    void configurationRoundTripsThroughJson() {
        ComputationGraphConfiguration conf = block(WorkspaceMode.ENABLED, new Adam(1e-2));
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        assertEquals(conf, back);
        assertTrue(json.contains("org.qat4j.layers.ChannelAddVertex"), json);
        assertEquals(new ChannelAddVertex(), back.getVertices().get("add"));
        assertEquals(new ChannelAddVertex(), new ChannelAddVertex().clone());
        assertEquals(InputType.convolutional(SIZE, SIZE, C), conf.getLayerActivationTypes(
                InputType.convolutional(SIZE, SIZE, 2), InputType.feedForward(1)).get("add"));
    }

    @Test
    void savedBlockLoadsWithIdenticalOutputsAndContinuedTraining() throws Exception {
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            ComputationGraph g = new ComputationGraph(block(mode, new Adam(1e-2)));
            g.init();
            for (int i = 0; i < 3; i++) {
                g.fit(data(10 + i));
            }
            File file = dir.resolve("block-" + mode + ".zip").toFile();
            ModelSerializer.writeModel(g, file, true);
            ComputationGraph back = ModelSerializer.restoreComputationGraph(file, true);
            assertEquals(g.getConfiguration(), back.getConfiguration());
            INDArray[] in = data(50).getFeatures();
            assertEquals(g.output(false, in)[0], back.output(false, in)[0]);
            assertEquals(g.params(), back.params());
            assertFalse(g.getLayer("gn").getParam(GroupNorm.GAMMA_KEY).equals(Nd4j.ones(DataType.DOUBLE, C)),
                    "gamma has trained");
            for (int i = 0; i < 2; i++) {
                g.fit(data(20 + i));
                back.fit(data(20 + i));
            }
            assertEquals(g.params(), back.params(), "continued training diverged (" + mode + ")");
        }
    }

    /** GroupNorm's gamma and beta are float-32 parameters without MACs; the embedding and the vertex add none. */
    @Test
    void summaryCountsTheBlock() {
        ComputationGraph g = new ComputationGraph(block(WorkspaceMode.NONE, new NoOp()));
        g.init();
        ModelSummary s = ModelSummary.of(g, InputType.convolutional(SIZE, SIZE, 2), InputType.feedForward(1));
        Map<String, ModelSummary.Row> rows = new java.util.HashMap<>();
        s.rows().forEach(r -> rows.put(r.name(), r));
        assertEquals(Map.of(32.0, 2L * C), rows.get("gn").paramsByBits());
        assertEquals(0, rows.get("gn").binaryMacs() + rows.get("gn").lowBitMacs() + rows.get("gn").floatMacs());
        assertEquals("(-1, 4, 4, 4)", rows.get("gn").outputShape());
        assertEquals(0, rows.get("temb").params());
        assertEquals("(-1, 6)", rows.get("temb").outputShape());
        assertEquals(6L * C, rows.get("proj").floatMacs());
        assertFalse(rows.containsKey("add"), "a parameter-free addition has no row");
        assertEquals(g.numParams(), s.totalParams());
        assertTrue(s.toString().contains("gn (GroupNorm)"), s.toString());
    }

    @Test
    void mismatchedChannelsAreRefused() {
        ChannelAddVertex add = new ChannelAddVertex();
        Exception e = assertThrows(DL4JInvalidConfigException.class, () -> add.getOutputType(-1,
                InputType.convolutional(SIZE, SIZE, C), InputType.feedForward(C + 1)));
        assertEquals("ChannelAddVertex: the vector's size 5 does not match the feature map's 4 channels",
                e.getMessage());
        e = assertThrows(RuntimeException.class, () -> new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("x", "v").addVertex("add", new ChannelAddVertex(), "x", "v")
                .addLayer("loss", new CnnLossLayer.Builder().build(), "add").setOutputs("loss")
                .setInputTypes(InputType.convolutional(3, 3, 8), InputType.feedForward(6)).build());
        assertTrue(e.getMessage().contains("the vector's size 6 does not match the feature map's 8 channels"),
                e.getMessage());
        e = assertThrows(DL4JInvalidConfigException.class, () -> add.getOutputType(-1, InputType.feedForward(C),
                InputType.convolutional(SIZE, SIZE, C)));
        assertTrue(e.getMessage().startsWith("ChannelAddVertex: the first input must be an NCHW feature map"),
                e.getMessage());
        e = assertThrows(DL4JInvalidConfigException.class, () -> add.getOutputType(-1,
                InputType.convolutional(SIZE, SIZE, C), InputType.convolutional(SIZE, SIZE, C)));
        assertTrue(e.getMessage().startsWith("ChannelAddVertex: the second input must be a feed-forward vector"),
                e.getMessage());
        e = assertThrows(DL4JInvalidInputException.class, () -> direct().feedForward(new INDArray[] {
            GradientCheckSupport.random(1, 2, C, 3, 2), GradientCheckSupport.random(2, 2, C + 1)}, false));
        assertTrue(e.getMessage().contains("vertex 'add' expects a feature map [N, C, H, W] and a vector [N, C], got"
                + " [2, 4, 3, 2] and [2, 5]"), e.getMessage());
    }
}
