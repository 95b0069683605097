package org.qat4j.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.recipe.TeacherSettings;
import org.qat4j.framework.train.Trainer;
import org.qat4j.recipes.FmnistResNet;
import org.qat4j.recipes.SpamTransformer;
import org.qat4j.recipes.diffusion.FmnistDdpm;

/**
 * Teachers for the distilled recipes in tests, each trained once per JVM: a one-epoch FP32 ResNet of width 8 on 64
 * images for the Fashion-MNIST students (logits taps need no matching width), a one-epoch FP32 encoder of the
 * tiny shape {@link #TINY_TRANSFORMER} on 64 messages for the SpamAssassin students (their q, k, v and hidden taps
 * need the student's shape), and a one-epoch FP32 U-Net of the shape {@link #TINY_UNET} for the diffusion students.
 */
final class TinyTeacher {

    /** The encoder shape of the SpamAssassin recipes in tests. */
    static final Map<String, String> TINY_TRANSFORMER = Map.of("layers", "1", "hidden", "16", "heads", "2", "ffn",
            "32", "maxLength", "32", "vocabSize", "256");

    /** The U-Net shape of the diffusion recipes in tests. */
    static final Map<String, String> TINY_UNET = Map.of("width", "8", "groups", "4", "blocks", "1");

    private static final Map<String, Path> TEACHERS = new HashMap<>();

    /** The small shape of a recipe's family in tests (none for the recipes that are small already). */
    static Map<String, String> tinyShape(Recipe r) {
        if (r instanceof SpamTransformer) {
            return TINY_TRANSFORMER;
        }
        if (r instanceof FmnistDdpm) {
            return TINY_UNET;
        }
        if (r instanceof FmnistResNet) {
            return Map.of("width", "8", "blocks", "1");
        }
        return Map.of();
    }

    /** The FP32 recipe a distilled recipe of this family learns from. */
    private static String teacherOf(Recipe r) {
        return r instanceof SpamTransformer ? "spam-bert-fp32" : r instanceof FmnistDdpm ? "fmnist-ddpm-fp32"
                : "fmnist-resnet-fp32";
    }

    private TinyTeacher() {
    }

    static synchronized Path get(String recipe) throws IOException {
        Path dir = TEACHERS.get(recipe);
        if (dir == null) {
            dir = Files.createTempDirectory("qat4j-teacher").resolve(recipe);
            Recipe r = Recipes.create(recipe);
            Map<String, String> settings = new HashMap<>(Map.of("epochs", "1", "batchSize", "32", "trainLimit", "64",
                    "testLimit", "32"));
            settings.putAll(tinyShape(r));
            r.hyperparameters().setAll(settings);
            new Trainer(new Trainer.Options(dir, null, 0, 1, 100, false),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start(r);
            TEACHERS.put(recipe, dir);
        }
        return dir;
    }

    /** Points a distilled recipe at the tiny teacher of its family; other recipes are left alone. */
    static Recipe teach(Recipe r) throws IOException {
        if (r.distillation() != null) {
            r.hyperparameters().set(TeacherSettings.TEACHER, get(teacherOf(r)).toString());
        }
        return r;
    }
}
