package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;
import org.qat4j.layers.summary.ModelSummary;
import org.qat4j.recipes.SpamTransformer;
import org.qat4j.recipes.diffusion.FmnistDdpm;

/** Every shipped recipe builds, summarises, trains a few steps, checkpoints and loads back. */
class RecipesSmokeTest {

    @TempDir
    Path tmp;

    @Test
    void theTrainerDrivesEstimatorSchedulesByEpoch() throws Exception {
        Recipe r = Recipes.create("fmnist-resnet-reste");
        r.hyperparameters().setAll(Map.of("epochs", "2", "batchSize", "32", "trainLimit", "64", "testLimit", "32",
                "width", "8", "blocks", "1"));
        Path dir = tmp.resolve("reste");
        new Trainer(new Trainer.Options(dir, null, 0, 2, 10, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start(r);
        var model = new CheckpointStore(dir, Trainer.recipePackages()).loadLatest().model();
        var conv = (org.qat4j.layers.QuantConv2D) model.getLayer("s0b0-conv").conf().getLayer();
        var reste = (org.qat4j.estimators.sign.ReSteEstimator) ((org.qat4j.estimators.BinaryWeightQuantizer) conv
                .getWeightQuantizer()).getEstimator();
        assertEquals(1 + 2 * (1 - Math.cos(Math.PI / 4)), reste.getO(), 1e-12, "o during the second of two epochs");
    }

    @Test
    void everyRecipeTrainsAndCheckpoints() throws Exception {
        List<Recipe> all = Recipes.all();
        assertTrue(all.size() >= 14, "recipes: " + all.size());
        for (Recipe listed : all) {
            Recipe r = Recipes.create(listed.name());
            r.hyperparameters().setAll(Map.of("epochs", "1", "batchSize", "32", "trainLimit", "64", "testLimit", "32"));
            r.hyperparameters().setAll(TinyTeacher.tinyShape(r));
            TinyTeacher.teach(r);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Path dir = tmp.resolve(r.name());
            Trainer.Result result = new Trainer(new Trainer.Options(dir, null, 0, 2, 10, false),
                    new PrintStream(out, true, StandardCharsets.UTF_8)).start(r);
            assertEquals(2, result.iterations(), r.name());
            assertTrue(result.testScore() >= 0 && (r instanceof FmnistDdpm || result.testScore() <= 1), r.name()
                    + " test score " + result.testScore());
            CheckpointStore.Loaded back = new CheckpointStore(dir, Trainer.recipePackages()).loadLatest();
            assertEquals(result.paramsSha256(), org.qat4j.framework.train.ParamsHash.of(back.model()), r.name());
            ModelSummary s = ModelSummary.of(back.model(), r.inputTypes());
            if (r.name().endsWith("biper")) {
                var conf = (org.qat4j.layers.QuantConv2D) back.model().getLayer("s0b0-conv").conf().getLayer();
                assertTrue(conf.getRegularization().get(0) instanceof org.qat4j.estimators.sign.BiPerRegularizer);
                assertTrue(back.model().calcRegularizationScore(true) > 0, "BiPer regulariser active");
            }
            // BiPer's weights are real valued (sin) in its first stage, which a one-epoch run never leaves
            boolean quantized = !r.name().endsWith("fp32") && !r.name().endsWith("biper");
            // the full-precision token embedding is a third of a small encoder's weights
            double least = r instanceof SpamTransformer ? 1.2 : 1.5;
            assertTrue(!quantized || s.compressionRatio() > least, r.name() + " compression " + s.compressionRatio());
        }
    }
}
