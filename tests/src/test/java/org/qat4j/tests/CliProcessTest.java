package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The qat4j command line as a real process: exit codes, stdout/stderr, files. */
class CliProcessTest {

    @TempDir
    Path dir;

    private Qat4jProcess.Run qat4j(String... args) throws Exception {
        return Qat4jProcess.run(dir, null, args);
    }

    @Test
    void plotEstimatorWritesAComparisonFigure() throws Exception {
        Path png = dir.resolve("reste.png");
        Qat4jProcess.Run r = qat4j("plot-estimator", "--estimator", "reste", "--set", "o=1,2,3", "--out",
                png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + png), r.out());
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".plot-")), "no temp file left");
        }
    }

    @Test
    void badInputExitsTwoWithOneLineAndLeavesExistingFilesAlone() throws Exception {
        Path png = dir.resolve("keep.png");
        Files.writeString(png, "previous result");
        Qat4jProcess.Run r = qat4j("plot-estimator", "--estimator", "reste", "--set", "o=0", "--out", png.toString());
        assertEquals(2, r.code());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("qat4j: reste: o must be"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("previous result", Files.readString(png));

        Qat4jProcess.Run unknown = qat4j("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("qat4j: unknown command 'frobnicate'"), unknown.err());
    }

    /** BiPer trains real-valued (sine) weights until its stage switch; its recipe summary shows the binary end. */
    @Test
    void aRecipeSummaryShowsTheModelAsItEndsTraining() throws Exception {
        Qat4jProcess.Run biper = qat4j("summary", "--recipe", "fmnist-resnet-biper");
        Qat4jProcess.Run xnor = qat4j("summary", "--recipe", "fmnist-resnet-xnor");
        assertEquals(0, biper.code(), biper.err());
        assertTrue(biper.out().contains("quantizer schedules as at the end of training, epoch 10"), biper.out());
        assertEquals(lineStarting(xnor.out(), "Binary MACs: "), lineStarting(biper.out(), "Binary MACs: "));
        double ratio = Double.parseDouble(lineStarting(biper.out(), "Compression ratio: ")
                .replaceAll("[^0-9.]", ""));
        assertTrue(ratio > 10, biper.out());
    }

    private static String lineStarting(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("missing: " + prefix);
    }

    @Test
    void listRunsAsAProcess() throws Exception {
        Qat4jProcess.Run r = qat4j("list");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("reste") && r.out().contains("o=1.0") && r.out().contains("e4m3"), r.out());
    }

    /** A distilled recipe trains from a teacher named on the command line; teacher mistakes are one line. */
    @Test
    void distillationFromTheCommandLine() throws Exception {
        String teacher = TinyTeacher.get("fmnist-resnet-fp32").toString();
        Path out = dir.resolve("kd");
        Qat4jProcess.Run r = qat4j("train", "--recipe", "fmnist-resnet-reste-kd", "--teacher", teacher, "--out",
                out.toString(), "--epochs", "1", "--train-limit", "64", "--test-limit", "32", "--set", "width=8",
                "--set", "blocks=1", "--set", "batchSize=32");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("distilling from recipe fmnist-resnet-fp32") && r.out().contains("kd = 1.00000 x "
                + "KdLoss(logits)") && r.out().contains("from the teacher"), r.out());
        Qat4jProcess.Run eval = qat4j("eval", "--checkpoint", out.toString());
        assertEquals(0, eval.code(), eval.err());

        Qat4jProcess.Run notDistilled = qat4j("train", "--recipe", "fmnist-resnet-reste", "--teacher", teacher,
                "--out", dir.resolve("x").toString());
        Qat4jProcess.Run missing = qat4j("train", "--recipe", "fmnist-resnet-reste-kd", "--teacher",
                dir.resolve("nope").toString(), "--out", dir.resolve("y").toString());
        Qat4jProcess.Run notACheckpoint = qat4j("train", "--recipe", "fmnist-resnet-reste-kd", "--teacher",
                dir.toString(), "--out", dir.resolve("z").toString());
        for (Qat4jProcess.Run bad : List.of(notDistilled, missing, notACheckpoint)) {
            assertEquals(2, bad.code(), bad.err());
            assertEquals(1, bad.err().lines().filter(l -> !l.isBlank()).count(), bad.err());
            assertFalse(bad.err().contains("Exception"), bad.err());
        }
        assertTrue(notDistilled.err().contains("does not distil from a teacher"), notDistilled.err());
        assertTrue(missing.err().contains("which does not exist"), missing.err());
        assertTrue(notACheckpoint.err().contains("teacher: no checkpoint in"), notACheckpoint.err());
        for (String never : List.of("x", "y", "z")) {
            assertFalse(Files.exists(dir.resolve(never)), never);
        }
    }

    /** Export and inference as processes: a model file, its accuracy, and one line for a bad or taken file. */
    @Test
    void exportAndInferFromTheCommandLine() throws Exception {
        Path run = dir.resolve("run");
        Qat4jProcess.Run train = qat4j("train", "--recipe", "fmnist-quickstart", "--out", run.toString(), "--epochs",
                "1", "--train-limit", "256", "--test-limit", "100");
        assertEquals(0, train.code(), train.err());
        Path model = dir.resolve("quick.q4j");
        Qat4jProcess.Run export = qat4j("export", "--checkpoint", run.toString(), "--out", model.toString());
        assertEquals(0, export.code(), export.err());
        assertTrue(export.out().contains("wrote " + model) && export.out().contains("x larger"), export.out());
        Qat4jProcess.Run infer = qat4j("infer", "--model", model.toString(), "--test-limit", "100");
        assertEquals(0, infer.code(), infer.err());
        Qat4jProcess.Run eval = qat4j("eval", "--checkpoint", run.toString(), "--test-limit", "100");
        String accuracy = eval.out().replaceAll("(?s).*test accuracy ([0-9.]+).*", "$1");
        assertTrue(infer.out().contains("test accuracy " + accuracy + " on 100 images"), infer.out() + eval.out());
        Path jdk21 = Path.of(System.getProperty("qat4j.jdk21", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java");
        if (Files.isExecutable(jdk21)) {
            Qat4jProcess.Run vector = Qat4jProcess.runWith(dir, jdk21.toString(), List.of("--add-modules",
                    "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"), "infer", "--model", model.toString(),
                    "--test-limit", "100");
            assertEquals(0, vector.code(), vector.err());
            assertFalse(vector.out().contains("(0 convolutions"), "binary convolutions on packed bits: " + vector.out());
            assertTrue(vector.out().contains("Vector API BIT_COUNT") && vector.out().contains("test accuracy "
                    + accuracy + " on 100 images"), "the Vector API popcount gives the same accuracy: " + vector.out());
        }

        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 1;
        Path damaged = dir.resolve("damaged.q4j");
        Files.write(damaged, bytes);
        Qat4jProcess.Run bad = qat4j("infer", "--model", damaged.toString());
        Qat4jProcess.Run taken = qat4j("export", "--checkpoint", run.toString(), "--out", model.toString());
        for (Qat4jProcess.Run r : List.of(bad, taken)) {
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertTrue(bad.err().contains("is damaged"), bad.err());
        assertTrue(taken.err().contains("exists"), taken.err());
    }
}
