package org.qat4j.distillation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.ConvolutionMode;
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

/** Gradient checks of student graphs with distillation outputs, in DOUBLE, and the outputs' bookkeeping. */
class DistillationOutputTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static ComputationGraphConfiguration.GraphBuilder builder(IUpdater updater, WorkspaceMode mode) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(updater)
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                .graphBuilder().addInputs("in");
    }

    /** in -&gt; h (tanh) -&gt; logits -&gt; softmax cross-entropy; a logit term on "logits", a feature term on "h". */
    private static ComputationGraph logitsStudent(DistillationLoss logitLoss, double weight, IUpdater updater,
            WorkspaceMode mode) {
        ComputationGraphConfiguration conf = builder(updater, mode)
                .addLayer("h", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("logits", new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build(), "h")
                .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .build(), "logits")
                .addLayer("kd", new DistillationOutput.Builder().loss(logitLoss).weight(weight).build(), "logits")
                .addLayer("feat", new DistillationOutput.Builder().loss(FeatureLoss.normalizedDifference()).weight(0.5)
                        .build(), "h")
                .setOutputs("out", "kd", "feat").setInputTypes(InputType.feedForward(6)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static INDArray random(long seed, long... shape) {
        return DistillationLossesTest.random(new Random(seed), shape);
    }

    private static INDArray oneHot(long seed, int n, int classes) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return y;
    }

    /** Checks every trainable parameter; state entries (no gradient by design) are left out. */
    private static void check(ComputationGraph net, INDArray[] inputs, INDArray[] labels, INDArray[] labelMasks,
            String... state) {
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net).inputs(inputs)
                .labels(labels).labelMask(labelMasks).excludeParams(java.util.Set.of(state)).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed");
    }

    @Test
    void logitAndFeatureTermsPassGradientChecks() {
        for (WorkspaceMode mode : WorkspaceMode.values()) {
            for (DistillationLoss loss : new DistillationLoss[] {new KdLoss(2), new DistributionalLoss()}) {
                ComputationGraph net = logitsStudent(loss, 1.5, new NoOp(), mode);
                check(net, new INDArray[] {random(1, 7, 6)}, new INDArray[] {oneHot(2, 7, 4), random(3, 7, 4),
                        random(4, 7, 5)}, null);
            }
        }
    }

    @Test
    void maskedExamplesPassGradientChecksAndAddNothing() {
        ComputationGraph net = logitsStudent(new KdLoss(1), 1, new NoOp(), WorkspaceMode.ENABLED);
        INDArray x = random(1, 5, 6);
        INDArray[] labels = {oneHot(2, 5, 4), random(3, 5, 4), random(4, 5, 5)};
        INDArray mask = Nd4j.createFromArray(1.0, 1, 0, 1, 0).reshape(5, 1);
        check(net, new INDArray[] {x}, labels, new INDArray[] {null, mask, null});
    }

    @Test
    void lrmOnConvolutionalTapsPassesGradientChecks() {
        ComputationGraphConfiguration conf = builder(new NoOp(), WorkspaceMode.ENABLED)
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("lrm", new DistillationOutput.Builder().loss(new LrmLoss()).weight(3).build(), "c1")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c1")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build(), "gap")
                .setOutputs("out", "lrm").setInputTypes(InputType.convolutional(5, 5, 2)).build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        assertEquals(8 * 2 + 1, net.getLayer("lrm").numParams(), "state: the flag and 8 x 2 directions");
        check(net, new INDArray[] {random(1, 3, 2, 5, 5)}, new INDArray[] {oneHot(2, 3, 3), random(3, 3, 8, 5, 5)},
                null, "lrm_" + LrmLoss.INITIALISED, "lrm_" + LrmLoss.DIRECTIONS);
        assertEquals(1, net.getLayer("lrm").getParam(LrmLoss.INITIALISED).getDouble(0));
    }

    @Test
    void dmdOnSequenceTapsWithPaddingPassesGradientChecks() {
        ComputationGraphConfiguration conf = builder(new NoOp(), WorkspaceMode.ENABLED)
                .addLayer("q", new SimpleRnn.Builder().nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("dmd", new DistillationOutput.Builder().loss(new DmdLoss(2)).build(), "q")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "q")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(2).build(), "pool")
                .setOutputs("out", "dmd").setInputTypes(InputType.recurrent(3, 5)).build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        INDArray mask = Nd4j.createFromArray(new double[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}});
        check(net, new INDArray[] {random(1, 2, 3, 5)}, new INDArray[] {oneHot(2, 2, 2), random(3, 2, 6, 5)},
                new INDArray[] {null, mask});
    }

    @Test
    void theScoreAddsWeightTimesLossToTheTaskLoss() {
        ComputationGraph net = logitsStudent(new KdLoss(2), 2.5, new NoOp(), WorkspaceMode.ENABLED);
        INDArray x = random(1, 7, 6);
        INDArray y = oneHot(2, 7, 4);
        INDArray tLogits = random(3, 7, 4);
        INDArray tFeat = random(4, 7, 5);
        double total = net.score(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y, tLogits, tFeat}));
        var acts = net.feedForward(new INDArray[] {x}, false);
        double kd = new KdLoss(2).evaluate(acts.get("logits"), tLogits, null).loss();
        double feat = FeatureLoss.normalizedDifference().evaluate(acts.get("h"), tFeat, null).loss();
        INDArray p = acts.get("out");
        double ce = -Nd4j.math().log(p).mul(y).sumNumber().doubleValue() / 7;
        assertEquals(ce + 2.5 * kd + 0.5 * feat, total, 1e-10);
        assertEquals(acts.get("logits"), acts.get("kd"), "the output passes its input through");
    }

    @Test
    void trainingPullsTheStudentTowardsTheTeacher() {
        ComputationGraph net = logitsStudent(new KdLoss(1), 1, new Adam(1e-2), WorkspaceMode.ENABLED);
        // a teacher the student can imitate: the same architecture, other weights; labels = its predictions
        ComputationGraph teacher = logitsStudent(new KdLoss(1), 1, new NoOp(), WorkspaceMode.ENABLED);
        teacher.params().assign(random(9, teacher.params().shape()).muli(2));
        INDArray x = random(1, 32, 6);
        var t = teacher.feedForward(new INDArray[] {x}, false);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 32, 4);
        INDArray predicted = t.get("logits").argMax(1);
        for (int i = 0; i < 32; i++) {
            y.putScalar(i, predicted.getInt(i), 1.0);
        }
        MultiDataSet batch = new MultiDataSet(new INDArray[] {x}, new INDArray[] {y, t.get("logits"), t.get("h")});
        double before = kdPart(net, x, t.get("logits"));
        for (int i = 0; i < 300; i++) {
            net.fit(batch);
        }
        double after = kdPart(net, x, t.get("logits"));
        assertTrue(after < 0.2 * before, "KD " + before + " -> " + after);
    }

    private static double kdPart(ComputationGraph net, INDArray x, INDArray teacherLogits) {
        return new KdLoss(1).evaluate(net.feedForward(new INDArray[] {x}, false).get("logits"), teacherLogits, null)
                .loss();
    }

    @Test
    void stateAndConfigurationSurviveModelSerializer(@TempDir Path dir) throws Exception {
        ComputationGraph net = logitsStudent(new DadLoss(0.5), 2, new Adam(1e-3), WorkspaceMode.ENABLED);
        ComputationGraphConfiguration conf = builder(new Adam(1e-3), WorkspaceMode.ENABLED)
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("lrm", new DistillationOutput.Builder().loss(new LrmLoss(3)).weight(1e-4).build(), "c1")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c1")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build(), "gap")
                .setOutputs("out", "lrm").setInputTypes(InputType.convolutional(5, 5, 1)).build();
        ComputationGraph cnn = new ComputationGraph(conf);
        cnn.init();
        cnn.fit(new MultiDataSet(new INDArray[] {random(1, 4, 1, 5, 5)}, new INDArray[] {oneHot(2, 4, 3),
                random(3, 4, 4, 3, 3)}));
        for (ComputationGraph g : new ComputationGraph[] {net, cnn}) {
            File f = dir.resolve(g.getNumLayers() + ".zip").toFile();
            ModelSerializer.writeModel(g, f, true);
            ComputationGraph back = ModelSerializer.restoreComputationGraph(f, true);
            assertEquals(g.getConfiguration(), back.getConfiguration());
            assertEquals(g.params(), back.params());
        }
        assertEquals(1, cnn.getLayer("lrm").getParam(LrmLoss.INITIALISED).getDouble(0));
        assertTrue(cnn.getConfiguration().toJson().contains(LrmLoss.class.getName()));
    }

    @Test
    void aDistillationOutputIsNotAClassifier() {
        ComputationGraph net = logitsStudent(new KdLoss(1), 1, new NoOp(), WorkspaceMode.ENABLED);
        var layer = (DistillationOutputLayer) net.getLayer("kd");
        assertThrows(UnsupportedOperationException.class, () -> layer.predict(random(1, 2, 4)));
        assertThrows(IllegalArgumentException.class, () -> new DistillationOutput.Builder().weight(-1));
    }
}
