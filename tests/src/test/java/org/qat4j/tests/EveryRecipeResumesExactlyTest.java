package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.Trainer;
import org.qat4j.recipes.FmnistResNet;
import org.qat4j.recipes.SpamTransformer;

/**
 * Exact resume for every shipped recipe, whatever state its quantizers keep (LSQ and FDB initialise on their first
 * call, learned scales, BiPer's stage switch, ReSTE's schedule): a run continued from a checkpoint in the middle of
 * its first or second epoch ends with the parameters of the run nobody stopped. {@link KillAndResumeTest} kills real
 * processes for one recipe; this test covers every recipe in one process, with checkpoints cut off after the
 * moment of interruption.
 */
class EveryRecipeResumesExactlyTest {

    /** 3 iterations per epoch, 2 epochs; checkpoints at every iteration. */
    private static final int ITERATIONS = 6;

    @TempDir
    Path tmp;

    static Stream<String> recipes() {
        return Recipes.all().stream().map(Recipe::name);
    }

    private static Recipe tiny(String name) {
        Recipe r = Recipes.create(name);
        Map<String, String> settings = new HashMap<>(Map.of("epochs", "2", "batchSize", "32", "trainLimit", "96",
                "testLimit", "32"));
        settings.putAll(TinyTeacher.tinyShape(r));
        r.hyperparameters().setAll(settings);
        return r;
    }

    private static Trainer trainer(Path dir) {
        return new Trainer(new Trainer.Options(dir, null, 1, ITERATIONS + 2, 100, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** A copy of the run as it was on disk just after the checkpoint of {@code iteration}. */
    private Path stoppedAfter(Path run, int iteration) throws IOException {
        Path copy = tmp.resolve(run.getFileName() + "-stopped-" + iteration);
        try (Stream<Path> files = Files.walk(run)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = copy.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Path checkpoints = copy.resolve("checkpoints");
        try (Stream<Path> ckpts = Files.list(checkpoints)) {
            for (Path c : ckpts.toList()) {
                if (Integer.parseInt(c.getFileName().toString().substring("ckpt-".length())) > iteration) {
                    deleteTree(c);
                }
            }
        }
        return copy;
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void resumeFromMidFirstAndMidSecondEpochIsExact(String name) throws Exception {
        Path run = tmp.resolve(name);
        Trainer.Result full = trainer(run).start(TinyTeacher.teach(tiny(name)));
        assertEquals(ITERATIONS, full.iterations(), name);
        for (int iteration : List.of(1, 5)) {
            Path stopped = stoppedAfter(run, iteration);
            assertTrue(Files.isDirectory(stopped.resolve("checkpoints").resolve(String.format("ckpt-%012d",
                    iteration))), "checkpoint " + iteration + " of " + name);
            Trainer.Result resumed = trainer(stopped).resume();
            assertEquals(ITERATIONS, resumed.iterations(), name);
            assertEquals(full.paramsSha256(), resumed.paramsSha256(),
                    name + " resumed after iteration " + iteration);
        }
    }
}
