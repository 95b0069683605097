package org.qat4j.framework.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.framework.Version;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;

class TrainerTest {

    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private Trainer trainer(Path dir, int checkpointEvery) throws Exception {
        return new Trainer(new Trainer.Options(dir, sampleData(), checkpointEvery, 50, 4, false), QUIET);
    }

    /** The checkpoints of a finished run of the tiny recipe, checkpointed every {@code checkpointEvery} steps. */
    private CheckpointStore trainedTinyRun(String name, int checkpointEvery) throws Exception {
        Path run = tmp.resolve(name);
        trainer(run, checkpointEvery).start(Recipes.create("tiny"));
        return new CheckpointStore(run, Trainer.recipePackages());
    }

    /** The bundled sample as a data directory. */
    private Path sampleData() throws Exception {
        Path data = tmp.resolve("data");
        if (!Files.exists(data)) {
            Files.createDirectories(data);
            for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                    "t10k-labels-idx1-ubyte")) {
                try (var in = FashionMnist.class.getResourceAsStream(
                        "/org/qat4j/framework/data/fashion-mnist-sample/" + f + ".gz")) {
                    Files.copy(in, data.resolve(f + ".gz"));
                }
            }
        }
        return data;
    }

    @Test
    void resumingFromAnyCheckpointEndsBitwiseIdentical() throws Exception {
        Path a = tmp.resolve("a");
        Trainer.Result full = trainer(a, 5).start(Recipes.create("tiny"));
        assertEquals(16, full.iterations());
        CheckpointStore store = new CheckpointStore(a, Trainer.recipePackages());
        List<Path> all = store.list();
        assertTrue(all.size() >= 4, "checkpoints: " + all);
        for (String keep : List.of("ckpt-000000000005", "ckpt-000000000008", "ckpt-000000000015")) {
            Path b = tmp.resolve("b-" + keep);
            Files.createDirectories(b.resolve("checkpoints"));
            copyTree(a.resolve("checkpoints").resolve(keep), b.resolve("checkpoints").resolve(keep));
            Trainer.Result resumed = trainer(b, 5).resume();
            assertEquals(full.paramsSha256(), resumed.paramsSha256(), "resumed from " + keep);
            assertEquals(full.testScore(), resumed.testScore(), 0);
        }
        List<String> csv = Files.readAllLines(a.resolve("metrics.csv"));
        assertEquals(MetricsCsv.HEADER, csv.get(0));
        for (String row : csv.subList(1, csv.size())) {
            double trainAccuracy = Double.parseDouble(row.split(",", -1)[4]);
            assertTrue(trainAccuracy >= 0 && trainAccuracy <= 1, "train accuracy in every row: " + row);
        }
        assertTrue(Files.size(a.resolve("curves.png")) > 1000);
        assertTrue(Files.readString(a.resolve("train.log")).contains("epoch 2/2: train loss"));
        Trainer.Result again = trainer(a, 5).resume();
        assertEquals(full.paramsSha256(), again.paramsSha256(), "resuming a finished run changes nothing");
        assertEquals(16, again.iterations());
        assertEquals(csv, Files.readAllLines(a.resolve("metrics.csv")));
        assertTrue(Files.readString(a.resolve("train.log")).contains("already complete, nothing to resume"));
        assertEquals(Version.current(), store.latestState().qat4j, "the build that made the run is recorded");
        assertFalse(Files.readString(a.resolve("train.log")).contains("note: the run was started with"),
                "resumed with the same build");
    }

    /** Each progress line tells how much training time is left, from the speed of the last logged window. */
    @Test
    void progressLinesEstimateTheTrainingTimeLeft() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        new Trainer(new Trainer.Options(tmp.resolve("eta"), sampleData(), 0, 2, 4, false), new PrintStream(captured,
                true, StandardCharsets.UTF_8)).start(Recipes.create("tiny"));
        List<String> progress = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" batch "))
                .toList();
        assertTrue(progress.size() >= 2, progress.toString());
        for (String line : progress.subList(0, progress.size() - 1)) {
            assertTrue(line.matches(".*, (\\d+h\\d{2}m|\\d+m\\d{2}s|\\d+s) of training left"), line);
        }
        assertFalse(progress.get(progress.size() - 1).contains("left"), "nothing left after the last step");
        assertEquals("45s", Trainer.duration(45.2));
        assertEquals("12m05s", Trainer.duration(725));
        assertEquals("1h02m", Trainer.duration(3725));
    }

    @Test
    void theTrainLossIsTheDataLossWithoutTheWeightDecayPenalty() throws Exception {
        double[] firstLoss = new double[2];
        for (int i = 0; i < 2; i++) {
            TinyRecipe recipe = (TinyRecipe) Recipes.create("tiny");
            recipe.weightDecay.set(i == 0 ? 0.0 : 0.5);
            Path dir = tmp.resolve("wd" + i);
            new Trainer(new Trainer.Options(dir, sampleData(), 0, 2, 1, false), QUIET).start(recipe);
            firstLoss[i] = Double.parseDouble(Files.readAllLines(dir.resolve("metrics.csv")).get(1).split(",")[3]);
        }
        assertEquals(firstLoss[0], firstLoss[1], 1e-4, "same parameters at the first step, same data loss");
    }

    @Test
    void badDataIsRefusedBeforeTheRunDirectoryIsCreated() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-data"));
        Path run = tmp.resolve("never");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(
                new Trainer.Options(run, empty, 0, 2, 4, false), QUIET).start(Recipes.create("tiny")));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertFalse(Files.exists(run));
    }

    @Test
    void resumeOnOtherDataIsRefusedAndOnACopyOfTheSameDataAccepted() throws Exception {
        Path a = tmp.resolve("data-check");
        trainer(a, 5).start(Recipes.create("tiny"));
        Path copy = Files.createDirectories(tmp.resolve("data-copy"));
        Path other = Files.createDirectories(tmp.resolve("data-other"));
        try (var files = Files.list(sampleData())) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
                Files.copy(f, other.resolve(f.getFileName()));
            }
        }
        Path labels = other.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] raw;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(labels))) {
            raw = in.readAllBytes();
        }
        raw[8] = (byte) ((raw[8] + 1) % 10);
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(labels))) {
            out.write(raw);
        }
        List<String> before = store(a).list().stream().map(Path::toString).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(
                new Trainer.Options(a, other, 5, 50, 4, false), QUIET).resume());
        assertTrue(e.getMessage().contains("was made on other data (256 train / 128 test images from "),
                e.getMessage());
        assertEquals(before, store(a).list().stream().map(Path::toString).toList(), "checkpoints untouched");
        assertEquals(16, new Trainer(new Trainer.Options(a, copy, 5, 50, 4, false), QUIET).resume().iterations());
    }

    private static CheckpointStore store(Path run) {
        return new CheckpointStore(run, Trainer.recipePackages());
    }

    @Test
    void corruptNewestCheckpointFallsBackToThePreviousOne() throws Exception {
        CheckpointStore store = trainedTinyRun("c", 5);
        List<Path> all = store.list();
        Path newest = all.get(0);
        byte[] model = Files.readAllBytes(newest.resolve("model.zip"));
        Files.write(newest.resolve("model.zip"), java.util.Arrays.copyOf(model, model.length / 2));
        CheckpointStore.Loaded loaded = store.loadLatest();
        assertEquals(all.get(1), loaded.path());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.load(newest));
        assertTrue(e.getMessage().contains(newest.toString()) && e.getMessage().contains("corrupt"), e.getMessage());
    }

    /** A state.json edited by hand (and its manifest updated to match) is checked for what a run can be. */
    @Test
    void impossibleCheckpointStatesAreRefused() throws Exception {
        CheckpointStore store = trainedTinyRun("states", 5);
        Path newest = store.list().get(0);
        Path previous = store.list().get(1);
        byte[] original = Files.readAllBytes(newest.resolve("state.json"));
        for (String edit : List.of("\"history\" : null", "\"epoch\" : -5", "\"hyperparameters\" : null",
                "\"bestCheckpoint\" : \"../../elsewhere\"", "\"formatVersion\" : 99")) {
            rewriteState(newest, original, edit);
            assertEquals(previous, store.loadLatest().path(), edit);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.load(newest));
            assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        }
        rewriteState(newest, original, "\"batch\" : 999");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(tmp.resolve("states"), 5).resume());
        assertTrue(e.getMessage().contains("does not fit its run: epoch 2 batch 999"), e.getMessage());
    }

    /** Replaces one top-level field of a checkpoint's state and updates the manifest to match. */
    private static void rewriteState(Path ckpt, byte[] original, String field) throws Exception {
        String name = field.substring(0, field.indexOf(':')).strip();
        String json = new String(original, StandardCharsets.UTF_8).replaceFirst("(?m)^  " + java.util.regex.Pattern
                .quote(name) + " : .*?(,?)$", java.util.regex.Matcher.quoteReplacement("  " + field) + "$1");
        assertTrue(json.contains(field), json);
        Files.writeString(ckpt.resolve("state.json"), json);
        updateManifest(ckpt, "state.json");
    }

    /** Makes the manifest match a file of the checkpoint that was replaced. */
    private static void updateManifest(Path ckpt, String file) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(ckpt.resolve(
                file)));
        String manifest = Files.readString(ckpt.resolve("manifest.json")).replaceAll("(\"" + file
                + "\" : \")[0-9a-f]+", "$1" + java.util.HexFormat.of().formatHex(digest));
        Files.writeString(ckpt.resolve("manifest.json"), manifest);
    }

    @Test
    void aCheckpointWithoutOptimizerStateIsIncomplete() throws Exception {
        CheckpointStore store = trainedTinyRun("no-updater", 5);
        Path newest = store.list().get(0);
        org.deeplearning4j.util.ModelSerializer.writeModel(store.load(newest).model(), newest.resolve("model.zip")
                .toFile(), false);
        updateManifest(newest, "model.zip");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.load(newest));
        assertTrue(e.getMessage().endsWith("is incomplete: model.zip holds no optimizer state"), e.getMessage());
        assertEquals(store.list().get(1), store.loadLatest().path());
    }

    @Test
    void foreignClassesInACheckpointAreRefused() throws Exception {
        CheckpointStore store = trainedTinyRun("d", 0);
        Path ckpt = store.list().get(0);
        Path zip = ckpt.resolve("model.zip");
        Path evil = tmp.resolve("evil.zip");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip));
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(evil))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().equals("configuration.json")) {
                    bytes = new String(bytes, StandardCharsets.UTF_8).replaceFirst(
                            "\"org.nd4j.linalg.learning.config.Adam\"", "\"com.example.Gadget\"")
                            .getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(bytes);
            }
        }
        Files.copy(evil, zip, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(ckpt.resolve("manifest.json"), CheckpointStore.JSON.writeValueAsString(Map.of(
                "model.zip", CheckpointStore.sha256(zip), "state.json", CheckpointStore.sha256(
                        ckpt.resolve("state.json")))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.load(ckpt));
        assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("com.example.Gadget"),
                e.getMessage());
    }

    @Test
    void nanLossStopsTheRunAndNamesTheLastGoodCheckpoint() throws Exception {
        Path a = tmp.resolve("nan");
        TrainingFailedException e = assertThrows(TrainingFailedException.class,
                () -> trainer(a, 1).start(Recipes.create("tiny-nan")));
        assertTrue(e.getMessage().startsWith("training diverged (loss ") && e.getMessage().contains("at epoch 1 batch "),
                e.getMessage());
        CheckpointStore store = new CheckpointStore(a, Trainer.recipePackages());
        Path last = store.list().get(0);
        assertTrue(e.getMessage().endsWith("the last good checkpoint is " + last), e.getMessage());
        assertTrue(!store.loadLatest().model().params().isNaN().any(), "the kept checkpoint is good");
    }

    @Test
    void profileReportsEveryQat4jLayerAndTheRest() throws Exception {
        Path a = tmp.resolve("profile");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Trainer(new Trainer.Options(a, sampleData(), 0, 2, 4, false, true),
                new PrintStream(out, true, StandardCharsets.UTF_8)).start(Recipes.create("tiny"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("profile, epoch 2 (ms per iteration over 8 iterations):"), text);
        for (String layer : List.of("c1", "bn1", "sign", "c2", "bn2", "data loading", "forward and backward",
                "DL4J layers, vertices and loss", "constraints and listeners", "trainer checks and metrics")) {
            assertTrue(text.contains(layer), layer + " missing in " + text);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("updater and parameter step +([0-9.]+)")
                .matcher(text);
        assertTrue(m.find() && Double.parseDouble(m.group(1)) > 0, "the updater phase is measured: " + text);
        assertTrue(!org.qat4j.layers.Profiler.enabled(), "profiling is switched off after the epoch");
    }

    @Test
    void runDirectoryRules() throws Exception {
        Path a = tmp.resolve("e");
        trainer(a, 0).start(Recipes.create("tiny"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(a, 0).start(Recipes.create("tiny")));
        assertTrue(e.getMessage().contains("already holds a run"), e.getMessage());
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        e = assertThrows(IllegalArgumentException.class, () -> trainer(empty, 0).resume());
        assertTrue(e.getMessage().contains("no checkpoint to resume from"), e.getMessage());
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("notes.txt"), "mine");
        e = assertThrows(IllegalArgumentException.class, () -> trainer(project, 0).start(Recipes.create("tiny")));
        assertTrue(e.getMessage().contains("not a qat4j run's (notes.txt)"), e.getMessage());
        try (var left = Files.list(project)) {
            assertEquals(List.of(project.resolve("notes.txt")), left.toList(), "nothing written next to the user's file");
        }
        Path stoppedEarly = Files.createDirectories(tmp.resolve("stopped-early").resolve("checkpoints")).getParent();
        Files.writeString(stoppedEarly.resolve("train.log"), "training tiny: ...\n");
        Files.writeString(stoppedEarly.resolve("lock"), "");
        trainer(stoppedEarly, 0).start(Recipes.create("tiny"));
        try (RunLock lock = RunLock.acquire(a)) {
            e = assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(a));
            assertTrue(e.getMessage().contains("in use by another trainer"), e.getMessage());
        }
    }

    @Test
    void hyperparametersAreTypedAndChecked() {
        Recipe r = Recipes.create("tiny");
        r.hyperparameters().set("epochs", "7");
        assertEquals(7, r.epochs.get());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.hyperparameters().set("epochs", "seven"));
        assertEquals("recipe tiny: epochs must be an integer in 1..100000 (got 'seven')", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> r.hyperparameters().set("learningRate", "-1"));
        assertTrue(e.getMessage().contains("learningRate must be a number in [0.0, 10.0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> r.hyperparameters().set("epochs", null));
        assertEquals("recipe tiny: epochs must be an integer in 1..100000 (got nothing)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> r.hyperparameters().set("depth", "3"));
        assertTrue(e.getMessage().contains("has no hyperparameter 'depth'; known: epochs, batchSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Recipes.create("nope"));
        assertTrue(e.getMessage().contains("unknown recipe 'nope'; known: tiny"), e.getMessage());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
