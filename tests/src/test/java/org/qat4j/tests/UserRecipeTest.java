package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own jar adds a recipe and a quantizer of their own without touching qat4j: compiled here from source,
 * put on the classpath of real {@code qat4j} processes, it is listed, trains, resumes and evaluates (its classes
 * pass the checkpoint allow-list because its recipe is registered); without the jar the checkpoint is refused by
 * name. The jar is left in {@code target/user-recipe/} for {@code .ci/run}'s launcher check.
 */
class UserRecipeTest {

    private static final String ESTIMATOR = """
            package com.example.qat;

            import org.nd4j.linalg.api.ndarray.INDArray;
            import org.nd4j.linalg.ops.transforms.Transforms;
            import org.qat4j.estimators.sign.SignEstimator;

            /** sign forward; backward max(0, 1 - |x|), the surrogate x - x|x|/2 on [-1, 1]. */
            public class TriangleSignEstimator extends SignEstimator {
                @Override
                public INDArray derivative(INDArray x) {
                    return Transforms.relu(Transforms.abs(x, true).rsubi(1.0), false);
                }

                @Override
                public INDArray surrogate(INDArray x) {
                    INDArray c = Transforms.min(Transforms.max(x, -1.0, true), 1.0, false);
                    return c.sub(c.mul(Transforms.abs(c, true)).divi(2.0));
                }
            }
            """;

    private static final String RECIPE = """
            package com.example.qat;

            import org.qat4j.estimators.BinaryWeightQuantizer;
            import org.qat4j.estimators.Quantizer;
            import org.qat4j.estimators.scaling.XnorScaling;
            import org.qat4j.recipes.FmnistResNet;

            /** The qat4j ResNet with the user's estimator on weights and activations. */
            public class TriangleResNet extends FmnistResNet {
                public TriangleResNet() {
                    width.set(8);
                    blocks.set(1);
                }

                @Override
                public String name() {
                    return "example-triangle-resnet";
                }

                @Override
                public String description() {
                    return "a user's recipe: W1A1 ResNet with a triangle-surrogate sign";
                }

                @Override
                protected Quantizer weights() {
                    return new BinaryWeightQuantizer(new TriangleSignEstimator(), new XnorScaling(), 0);
                }

                @Override
                protected Quantizer activations() {
                    return new TriangleSignEstimator();
                }
            }
            """;

    @TempDir
    Path dir;

    private static Path buildJar(Path work) throws Exception {
        Path src = work.resolve("src/com/example/qat");
        Files.createDirectories(src);
        Files.writeString(src.resolve("TriangleSignEstimator.java"), ESTIMATOR);
        Files.writeString(src.resolve("TriangleResNet.java"), RECIPE);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.resolve("TriangleSignEstimator.java").toString(), src.resolve("TriangleResNet.java").toString());
        assertEquals(0, rc, "the user's sources compile against qat4j");
        Path services = Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(services.resolve("org.qat4j.framework.recipe.Recipe"), "com.example.qat.TriangleResNet\n");
        Path jar = Files.createDirectories(Path.of("target", "user-recipe")).resolve("user-recipe.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar.toAbsolutePath();
    }

    @Test
    void aUsersJarAddsARecipeThatTrainsResumesAndEvaluates() throws Exception {
        Path jar = buildJar(dir.resolve("user"));
        String withJar = jar.toString();

        Qat4jProcess.Run list = Qat4jProcess.run(dir, withJar, "list");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("example-triangle-resnet") && list.out().contains("triangle-surrogate"),
                list.out());

        Path run = dir.resolve("run");
        Qat4jProcess.Run train = Qat4jProcess.run(dir, withJar, "train", "--recipe", "example-triangle-resnet",
                "--out", run.toString(),
                "--epochs", "2", "--train-limit", "256", "--test-limit", "64", "--set", "batchSize=64");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("done: test accuracy"), train.out());
        String config;
        try (ZipFile zip = new ZipFile(newestCheckpoint(run).resolve("model.zip").toFile())) {
            config = new String(zip.getInputStream(zip.getEntry("configuration.json")).readAllBytes(),
                    StandardCharsets.UTF_8);
        }
        assertTrue(config.contains("com.example.qat.TriangleSignEstimator"), "the user's class is in the checkpoint");

        Qat4jProcess.Run eval = Qat4jProcess.run(dir, withJar, "eval", "--checkpoint", run.toString(),
                "--test-limit", "64");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("example-triangle-resnet") && eval.out().contains("test accuracy"), eval.out());

        Qat4jProcess.Run resume = Qat4jProcess.run(dir, withJar, "resume", run.toString());
        assertEquals(0, resume.code(), resume.err());

        Qat4jProcess.Run without = Qat4jProcess.run(dir, null, "eval", "--checkpoint", run.toString());
        assertFalse(without.code() == 0, "without the user's jar the checkpoint cannot be used");
        List<String> lines = without.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), without.err());
        assertTrue(lines.get(0).contains("recipe 'example-triangle-resnet', which is not on the classpath"),
                without.err());
        assertFalse(without.err().contains("\tat "), without.err());
    }

    private static Path newestCheckpoint(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("ckpt-")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
    }
}
