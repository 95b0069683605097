package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.qat4j.framework.data.WordPieceTokenizer;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.recipe.SpamAssassinRecipe;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;

/**
 * The SpamAssassin encoder as the recipes build it: the backward pass of the whole graph (embeddings, attention
 * vertices, layer norms, GELU feed-forward, [CLS] pooling) agrees with finite differences on real padded messages,
 * and the vocabulary a run learns travels with its checkpoints.
 */
class SpamTransformerTest {

    @TempDir
    Path tmp;

    private static Recipe tiny(String name, Map<String, String> more) {
        Recipe r = Recipes.create(name);
        Map<String, String> settings = new HashMap<>(Map.of("epochs", "1", "batchSize", "16", "trainLimit", "32",
                "testLimit", "16"));
        settings.putAll(TinyTeacher.TINY_TRANSFORMER);
        settings.putAll(more);
        r.hyperparameters().setAll(settings);
        return r;
    }

    private static Trainer trainer(Path dir) {
        return new Trainer(new Trainer.Options(dir, null, 0, 1, 100, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** The recipe's graph in DOUBLE without an updater, as the gradient check needs it. */
    private static ComputationGraph forGradientCheck(ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        conf.setDataType(DataType.DOUBLE);
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                layer.setIUpdater(new NoOp());
                layer.setBiasUpdater(new NoOp());
                layer.setRegularization(java.util.List.of());
                layer.setRegularizationBias(java.util.List.of());
            }
        }
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /**
     * Central differences of the loss against the backward pass, at a random subset of every parameter array.
     * DL4J's {@code GradientCheckUtil} checks each layer in its module; on the whole encoder it checks every entry
     * (its subset option is not applied to graphs), which takes many minutes.
     */
    @Test
    void theWholeFp32EncoderMatchesFiniteDifferencesOnPaddedMessages() throws Exception {
        Recipe r = tiny("spam-bert-fp32", Map.of("maxLength", "8", "vocabSize", "64"));
        Recipe.Data data = r.loadData(null);
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph net = forGradientCheck(r.model(1));
            DataSet ds = data.train().batch(new int[] {0, 1, 2});
            INDArray x = ds.getFeatures().castTo(DataType.DOUBLE);
            INDArray mask = ds.getFeaturesMaskArray().castTo(DataType.DOUBLE);
            // messages longer than 8 tokens fill the window: pad one, so that the check covers the mask
            for (int t = 5; t < 8; t++) {
                mask.putScalar(1, t, 0.0);
                x.putScalar(1, t, WordPieceTokenizer.PAD);
            }
            MultiDataSet batch = new MultiDataSet(new INDArray[] {x},
                    new INDArray[] {ds.getLabels().castTo(DataType.DOUBLE)}, new INDArray[] {mask}, null);
            net.setInputs(x);
            net.setLabels(batch.getLabels());
            net.setLayerMaskArrays(new INDArray[] {mask}, null);
            net.computeGradientAndScore();
            Map<String, INDArray> analytic = new HashMap<>();
            net.gradient().gradientForVariable().forEach((k, v) -> analytic.put(k, v.dup()));
            Random rnd = new Random(7);
            double eps = 1e-6;
            int checked = 0;
            java.util.List<String> failures = new java.util.ArrayList<>();
            for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
                INDArray p = e.getValue();
                for (int i = 0; i < Math.min(6, p.length()); i++) {
                    // by position, not linear index: DL4J's dense weights are 'f' ordered, ours 'c'
                    long[] at = org.nd4j.linalg.api.shape.Shape.ind2subC(p, rnd.nextInt((int) p.length()));
                    double orig = p.getDouble(at);
                    p.putScalar(at, orig + eps);
                    double plus = net.score(batch, true);
                    p.putScalar(at, orig - eps);
                    double minus = net.score(batch, true);
                    p.putScalar(at, orig);
                    // DL4J's score is the minibatch mean; its gradients are sums, divided by the updater
                    double numeric = (plus - minus) / (2 * eps) * x.size(0);
                    double back = analytic.get(e.getKey()).getDouble(at);
                    double err = Math.abs(numeric - back);
                    if (!(err < 1e-7 || err / Math.max(Math.abs(numeric), Math.abs(back)) < 1e-4)) {
                        failures.add(e.getKey() + java.util.Arrays.toString(at) + ": backward " + back + ", finite differences "
                                + numeric);
                    }
                    checked++;
                }
            }
            assertTrue(checked > 100, "checked " + checked);
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @Test
    void theVocabularyIsSavedWithTheRunAndUsedByEvalAndResume() throws Exception {
        Path run = tmp.resolve("fp32");
        SpamAssassinRecipe r = (SpamAssassinRecipe) tiny("spam-bert-fp32", Map.of());
        trainer(run).start(r);
        CheckpointStore.Loaded loaded = CheckpointStore.open(run);
        String vocabulary = loaded.state().derivedState.get(SpamAssassinRecipe.VOCABULARY);
        assertEquals(r.tokenizer().toText(), vocabulary);
        assertEquals(r.tokenizer().size(), loaded.model().getLayer("embed").getParam("W").size(0),
                "the embedding has a row per vocabulary entry");

        // a recipe that restores the run's vocabulary encodes as the run did, whatever its vocabSize now says
        SpamAssassinRecipe again = (SpamAssassinRecipe) tiny("spam-bert-fp32", Map.of("vocabSize", "300"));
        again.restoreDerivedState(loaded.state().derivedState);
        Recipe.Data d = again.loadData(null);
        assertEquals(loaded.state().testData, d.test().fingerprint());

        assertThrows(IllegalArgumentException.class, () -> again.restoreDerivedState(Map.of()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> again.restoreDerivedState(Map.of(SpamAssassinRecipe.VOCABULARY, "not a vocabulary")));
        assertTrue(bad.getMessage().length() < 300, bad.getMessage());
    }

    @Test
    void aTeacherWithAnotherVocabularyIsRefused() throws Exception {
        Path teacher = tmp.resolve("teacher");
        trainer(teacher).start(tiny("spam-bert-fp32", Map.of("vocabSize", "300")));
        Recipe student = tiny("spam-bibert", Map.of("teacher", teacher.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(tmp.resolve("student")).start(student));
        assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
    }
}
