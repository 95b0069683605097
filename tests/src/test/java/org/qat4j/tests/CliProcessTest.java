package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The qat4j command line as a real process: exit codes, stdout/stderr, files. */
class CliProcessTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run qat4j(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-Dqat4j.errorLog=" + dir.resolve("errors.log"),
                "-cp", System.getProperty("java.class.path"), "org.qat4j.framework.cli.Qat4j"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "qat4j did not finish");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void plotEstimatorWritesAComparisonFigure() throws Exception {
        Path png = dir.resolve("reste.png");
        Run r = qat4j("plot-estimator", "--estimator", "reste", "--set", "o=1,2,3", "--out", png.toString());
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
        Run r = qat4j("plot-estimator", "--estimator", "reste", "--set", "o=0", "--out", png.toString());
        assertEquals(2, r.code());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("qat4j: reste: o must be"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("previous result", Files.readString(png));

        Run unknown = qat4j("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("qat4j: unknown command 'frobnicate'"), unknown.err());
    }

    @Test
    void listRunsAsAProcess() throws Exception {
        Run r = qat4j("list");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("reste") && r.out().contains("o=1.0") && r.out().contains("e4m3"), r.out());
    }
}
