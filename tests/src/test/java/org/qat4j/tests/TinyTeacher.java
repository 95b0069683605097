package org.qat4j.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.recipe.TeacherSettings;
import org.qat4j.framework.train.Trainer;

/**
 * A teacher for the distilled recipes in tests: a one-epoch FP32 ResNet of width 8 on 64 images, trained once per
 * JVM (logits taps need no matching width).
 */
final class TinyTeacher {

    private static Path dir;

    private TinyTeacher() {
    }

    static synchronized Path get() throws IOException {
        if (dir == null) {
            Path d = Files.createTempDirectory("qat4j-teacher").resolve("fmnist-resnet-fp32");
            Recipe r = Recipes.create("fmnist-resnet-fp32");
            r.hyperparameters().setAll(Map.of("epochs", "1", "batchSize", "32", "trainLimit", "64", "testLimit", "32",
                    "width", "8", "blocks", "1"));
            new Trainer(new Trainer.Options(d, null, 0, 1, 100, false),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start(r);
            dir = d;
        }
        return dir;
    }

    /** Points a distilled recipe at the tiny teacher; other recipes are left alone. */
    static Recipe teach(Recipe r) throws IOException {
        if (r.distillation() != null) {
            r.hyperparameters().set(TeacherSettings.TEACHER, get().toString());
        }
        return r;
    }
}
