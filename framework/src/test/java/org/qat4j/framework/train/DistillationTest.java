package org.qat4j.framework.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.framework.data.EpochBatches;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;

/**
 * Teacher-student runs: the teacher is read and never written, mismatches fail before anything is written, resume
 * is exact and refuses another teacher.
 */
class DistillationTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @TempDir
    static Path shared;
    static Path teacher;
    static Path data;

    @TempDir
    Path tmp;

    /** One tiny teacher (a DL4J OutputLayer head: its logits come from the layer's weights) for every test. */
    @BeforeAll
    static void trainTeacher() throws Exception {
        data = shared.resolve("data");
        Files.createDirectories(data);
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            try (var in = FashionMnist.class.getResourceAsStream("/org/qat4j/framework/data/fashion-mnist-sample/" + f
                    + ".gz")) {
                Files.copy(in, data.resolve(f + ".gz"));
            }
        }
        teacher = shared.resolve("teacher");
        new Trainer(new Trainer.Options(teacher, data, 0, 2, 100, false), QUIET).start(Recipes.create("tiny"));
    }

    private static Trainer trainer(Path dir, int checkpointEvery) {
        return new Trainer(new Trainer.Options(dir, data, checkpointEvery, 50, 4, false), QUIET);
    }

    private static Recipe student(Map<String, String> settings) {
        Recipe r = Recipes.create("tiny-student");
        r.hyperparameters().set("teacher", teacher.toString());
        r.hyperparameters().setAll(settings);
        return r;
    }

    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    @Test
    void aDistilledRunTrainsResumesExactlyAndNeverWritesTheTeacher() throws Exception {
        Map<String, String> before = digests(teacher);
        Path a = tmp.resolve("a");
        Trainer.Result full = trainer(a, 5).start(student(Map.of()));
        assertEquals(16, full.iterations());
        String log = Files.readString(a.resolve("train.log"));
        assertTrue(log.contains("distilling from recipe tiny"), log);
        assertTrue(log.contains("kd = 1.00000 x KdLoss(logits)"), log);
        CheckpointStore store = new CheckpointStore(a, Trainer.recipePackages());
        Teacher t = Teacher.open(teacher, List.of(Distillation.LOGITS));
        assertEquals(t.paramsSha256(), store.latestState().teacherParams);
        assertEquals(teacher.toAbsolutePath().normalize().toString(), store.latestState().hyperparameters
                .get("teacher"), "the teacher is recorded by absolute path");
        for (String keep : List.of("ckpt-000000000005", "ckpt-000000000010")) {
            Path b = tmp.resolve("b-" + keep);
            Files.createDirectories(b.resolve("checkpoints"));
            copyTree(a.resolve("checkpoints").resolve(keep), b.resolve("checkpoints").resolve(keep));
            assertEquals(full.paramsSha256(), trainer(b, 5).resume().paramsSha256(), "resumed from " + keep);
        }
        assertEquals(before, digests(teacher), "the teacher's files are untouched");
        Path c = tmp.resolve("c");
        Trainer.Result undistilled = trainer(c, 0).start(student(Map.of("termWeight", "0")));
        assertNotEquals(full.paramsSha256(), undistilled.paramsSha256(), "the distillation terms change training");
    }

    @Test
    void theLogitsOfAnOutputLayerTeacherAreItsPreSoftmaxValues() throws Exception {
        Teacher t = Teacher.open(teacher, List.of(Distillation.LOGITS, "bn2"));
        ComputationGraph net = CheckpointStore.open(teacher).model();
        INDArray x = Recipes.create("tiny").loadData(data).test().batch(new int[] {0, 1, 2})
                .getFeatures();
        INDArray[] taps = t.taps(new INDArray[] {x}, null);
        INDArray softmax = Transforms.softmax(taps[0], true);
        assertTrue(softmax.equalsWithEps(net.outputSingle(false, x), 1e-5), softmax + " vs " + net.outputSingle(x));
        assertArrayEquals(new long[] {3, 8, 6, 6}, taps[1].shape());
        assertEquals(net.feedForward(x, false).get("bn2"), taps[1]);
    }

    @Test
    void initialisingFromTheTeacherCopiesTheLayersTheyShare() throws Exception {
        Path a = tmp.resolve("init");
        trainer(a, 0).start(student(Map.of("initFromTeacher", "true", "epochs", "1", "learningRate", "0")));
        ComputationGraph s = new CheckpointStore(a, Trainer.recipePackages()).loadLatest().model();
        ComputationGraph t = CheckpointStore.open(teacher).model();
        assertEquals(t.getParam("c1_W"), s.getParam("c1_W"), "a learning rate of 0 keeps the teacher's weights");
        assertEquals(t.getParam("out_W"), s.getParam("logits_W"), "the teacher's OutputLayer is the student's logits");
        assertEquals(t.getParam("out_b"), s.getParam("logits_b"));
        assertTrue(Files.readString(a.resolve("train.log")).contains("parameter arrays"), "the copy is reported");
    }

    @Test
    void mismatchesFailBeforeAnythingIsWritten() throws Exception {
        Path dir = tmp.resolve("never");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(dir, 0).start(student(Map.of("featureTap", "nope"))));
        assertTrue(e.getMessage().contains("the student has no tap 'nope'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> trainer(dir, 0).start(student(Map.of("width", "4"))));
        assertTrue(e.getMessage().contains("distillation term 'feature': student tap 'bn2' and teacher tap 'bn2' do "
                + "not fit: student shape [4, 6, 6] differs from teacher shape [8, 6, 6]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> trainer(dir, 0).start(student(Map.of("teacher",
                tmp.resolve("missing").toString()))));
        assertTrue(e.getMessage().contains("which does not exist"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> trainer(dir, 0).start(student(Map.of("teacherFeatureTap", "nope"))));
        assertTrue(e.getMessage().contains("the teacher (recipe tiny, checkpoint ") && e.getMessage().contains(
                "has no tap 'nope'"), e.getMessage());
        assertFalse(Files.exists(dir), "nothing was written");
    }

    @Test
    void resumeRefusesAnotherTeacher() throws Exception {
        Path ownTeacher = tmp.resolve("own-teacher");
        copyTree(teacher, ownTeacher);
        Path a = tmp.resolve("a");
        trainer(a, 5).start(student(Map.of("teacher", ownTeacher.toString())));
        Path b = tmp.resolve("b");
        copyTree(a.resolve("checkpoints").resolve("ckpt-000000000005"),
                b.resolve("checkpoints").resolve("ckpt-000000000005"));
        // another teacher at the same path
        deleteTree(ownTeacher);
        Recipe other = Recipes.create("tiny");
        other.hyperparameters().set("seed", "7");
        trainer(ownTeacher, 0).start(other);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(b, 5).resume());
        assertTrue(e.getMessage().contains("an exact resume needs the same teacher"), e.getMessage());
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
