package org.qat4j.framework.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.estimators.QuantizerRegistry;
import org.qat4j.framework.Version;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.plot.EstimatorPlot;

class Qat4jCliTest {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Qat4j().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertUsageError(Result r, String fragment) {
        assertEquals(Qat4j.USAGE, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "exactly one line: " + r.err());
        assertTrue(r.err().startsWith("qat4j: ") && r.err().contains(fragment), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void helpListsEveryCommand() {
        Result r = run("--help");
        assertEquals(Qat4j.OK, r.code());
        for (String c : List.of("list", "plot-estimator", "bench-backend")) {
            assertTrue(r.out().contains(c), r.out());
        }
        Result sub = run("plot-estimator", "--help");
        assertEquals(Qat4j.OK, sub.code());
        assertTrue(sub.out().contains("--estimator") && sub.out().contains("--set") && sub.out().contains("--out"));
    }

    @Test
    void listShowsEveryEntryWithItsDefaults() {
        Result r = run("list");
        assertEquals(Qat4j.OK, r.code());
        for (QuantizerRegistry.Entry e : QuantizerRegistry.entries()) {
            assertTrue(r.out().contains("  " + e.name() + " "), e.name());
            for (QuantizerRegistry.Param p : e.params()) {
                assertTrue(r.out().contains(p.name() + "=" + p.defaultValue()), e.name() + " " + p.name());
            }
        }
    }

    @Test
    void plotWritesAPngWithOneCurvePerComparedValue() throws Exception {
        Path png = dir.resolve("reste.png");
        Result r = run("plot-estimator", "--estimator", "reste", "--set", "o=1,2,3", "--out", png.toString());
        assertEquals(Qat4j.OK, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() >= 1000 && img.getHeight() >= 400);
        EstimatorPlot plot = new EstimatorPlot("reste", PlotEstimatorCommand.variants(Map.of("o", "1,2,3")), -2, 2);
        assertEquals(3, plot.curves().size());
        // at x = 0.5 (grid index 500) the backward is (1/o) 0.5^((1-o)/o)
        for (int o = 1; o <= 3; o++) {
            double expected = (1.0 / o) * Math.pow(0.5, (1.0 - o) / o);
            assertEquals(expected, plot.curves().get(o - 1).backward()[500], 1e-12);
            assertEquals(1.0, plot.curves().get(o - 1).forward()[500], 0);
        }
    }

    @Test
    void badArgumentsGiveOneLineAndExitTwo() throws Exception {
        Path png = dir.resolve("x.png");
        assertUsageError(run("frobnicate"), "unknown command 'frobnicate'");
        assertUsageError(run("plot-estimator", "--out", png.toString()), "missing required option: estimator");
        assertUsageError(run("plot-estimator", "--estimator", "nope", "--out", png.toString()),
                "unknown estimator 'nope'");
        assertUsageError(run("plot-estimator", "--estimator", "reste", "--set", "o=-1", "--out", png.toString()),
                "o must be a finite number > 0");
        assertUsageError(run("plot-estimator", "--estimator", "lsq", "--set", "bits=12", "--out", png.toString()),
                "bits must be in 1..8");
        assertUsageError(run("plot-estimator", "--estimator", "ste", "--set", "clip", "--out", png.toString()),
                "--set expects key=value");
        assertUsageError(run("plot-estimator", "--estimator", "ste", "--set", "foo=1", "--out", png.toString()),
                "unknown parameter 'foo' for 'ste'");
        assertUsageError(run("plot-estimator", "--estimator", "reste", "--set", "o=1,2", "--set", "t=1,2",
                "--out", png.toString()), "only one --set may list several values");
        assertUsageError(run("plot-estimator", "--estimator", "ste", "--out", dir.resolve("x.txt").toString()),
                "must name a .png file");
        assertUsageError(run("plot-estimator", "--estimator", "ste", "--out", dir.resolve("no/x.png").toString()),
                "directory does not exist");
        assertUsageError(run("plot-estimator", "--estimator", "ste", "--range", "2,-2", "--out", png.toString()),
                "--range expects LO,HI");
        assertUsageError(run("plot-estimator", "--estimator", "xnor", "--out", png.toString()), "scaling rule");
        assertUsageError(run("list", "extra"), "unexpected argument 'extra'");
        assertUsageError(run("bench-backend", "--repeats", "zero"), "--repeats must be an integer");
        assertFalse(Files.exists(png), "nothing written on bad input");
    }

    @Test
    void aFileWhereADirectoryBelongsIsNamedAsSuch() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "not a run");
        assertUsageError(run("eval", "--checkpoint", file.toString()), "not a checkpoint: " + file);
        assertUsageError(run("summary", "--checkpoint", file.toString()), "not a checkpoint: " + file);
        assertUsageError(run("report", file.toString()), file + " is not a directory");
        assertUsageError(run("download", "fashion-mnist", "--out", file.toString()), file + " is not a directory");
        assertEquals("not a run", Files.readString(file));
    }

    @Test
    void noArgumentsPrintsUsageAndExitsTwo() {
        Result r = run();
        assertEquals(Qat4j.USAGE, r.code());
        assertTrue(r.out().contains("usage: qat4j COMMAND"));
    }

    @Test
    void reportTabulatesRunsFromTheirCheckpoints() throws Exception {
        Path runs = dir.resolve("runs");
        Path data = dir.resolve("no-data");
        assertEquals(Qat4j.OK, run("train", "--recipe", "tiny", "--out", runs.resolve("a").toString(), "--epochs",
                "2").code());
        assertEquals(Qat4j.OK, run("train", "--recipe", "tiny", "--out", runs.resolve("b").toString(), "--epochs",
                "1", "--seed", "7").code());
        Files.createDirectories(runs.resolve("not-a-run"));
        Result all = run("report", runs.toString());
        assertEquals(Qat4j.OK, all.code(), all.err());
        List<String> rows = all.out().lines().toList();
        assertEquals(4, rows.size(), all.out());
        assertTrue(rows.get(0).startsWith("| run | recipe | epochs | metric | last |"), all.out());
        assertTrue(rows.get(2).matches("\\| a \\| tiny \\| 2/2 \\| test accuracy \\| [0-9.]+% \\| [0-9.]+% \\([12]\\) \\| [0-9.]+ "
                + "\\| [0-9.]+% \\| [0-9.]+ \\| " + java.util.regex.Pattern.quote(Version.current()) + " \\|"),
                rows.get(2));
        assertTrue(rows.get(3).startsWith("| b | tiny | 1/1 |"), rows.get(3));
        Result one = run("report", runs.resolve("b").toString());
        assertEquals(3, one.out().lines().count(), one.out());
        assertUsageError(run("report", runs.resolve("not-a-run").toString()), "holds no run");
        assertUsageError(run("report", data.toString()), "no directory");

        Result eval = run("eval", "--checkpoint", runs.resolve("b").toString(), "--per-class");
        assertEquals(Qat4j.OK, eval.code(), eval.err());
        List<String> lines = eval.out().lines().toList();
        assertTrue(lines.get(0).contains("test accuracy") && lines.get(0).contains("on 128 images"), lines.get(0));
        assertTrue(lines.get(1).matches("class +precision +recall +F1 +images"), lines.get(1));
        int images = 0;
        for (int c = 0; c < FashionMnist.CLASSES.length; c++) {
            String[] cells = lines.get(2 + c).split(" {2,}");
            assertEquals(FashionMnist.CLASSES[c], cells[0]);
            images += Integer.parseInt(cells[4].trim());
            String[] counts = lines.get(15 + c).trim().split(" +", 12);
            assertEquals(String.valueOf(c), counts[0]);
            assertEquals(FashionMnist.CLASSES[c], counts[11], "the row names its class");
            int rowSum = 0;
            for (int p = 1; p <= 10; p++) {
                rowSum += Integer.parseInt(counts[p]);
            }
            assertEquals(Integer.parseInt(cells[4].trim()), rowSum, "confusion row of " + FashionMnist.CLASSES[c]);
        }
        assertEquals(128, images);
        assertTrue(lines.get(12).matches("macro average +[0-9.]+ +[0-9.]+ +[0-9.]+ +128"), lines.get(12));
        assertTrue(lines.get(13).startsWith("confusion matrix"), lines.get(13));
        assertTrue(lines.get(14).matches(" +0 +1 +2 +3 +4 +5 +6 +7 +8 +9"), lines.get(14));
        assertEquals(25, lines.size(), eval.out());
    }
}
