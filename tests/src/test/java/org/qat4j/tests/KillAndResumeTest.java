package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume with real processes: a training run killed with SIGKILL at several moments and resumed with
 * {@code qat4j resume} ends with the same {@code params sha256} as the uninterrupted run.
 */
class KillAndResumeTest {

    @TempDir
    static Path tmp;

    private static Path data;

    private static final String[] RUN = {"train", "--recipe", "fmnist-quickstart", "--epochs", "2", "--train-limit", "640",
        "--test-limit", "200", "--checkpoint-every", "3"};

    @BeforeAll
    static void sampleData() throws Exception {
        data = BundledFashionMnist.writeTo(tmp.resolve("data"));
    }

    private static ProcessBuilder qat4j(Path log, String... args) {
        return Qat4jProcess.builder(null, tmp.resolve("errors.log"), args).redirectErrorStream(true)
                .redirectOutput(log.toFile());
    }

    private static String[] with(String... more) {
        List<String> all = new ArrayList<>(List.of(RUN));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static String sha(Path log) throws Exception {
        Matcher m = Pattern.compile("params sha256: ([0-9a-f]{64})").matcher(Files.readString(log,
                StandardCharsets.UTF_8));
        assertTrue(m.find(), "no params sha256 in " + Files.readString(log));
        return m.group(1);
    }

    private static int checkpoints(Path run) throws Exception {
        Path dir = run.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return (int) s.filter(p -> p.getFileName().toString().startsWith("ckpt-")).count();
        }
    }

    private static String uninterrupted;

    /** The params sha256 of the run nobody interrupts. */
    private static synchronized String expected() throws Exception {
        if (uninterrupted == null) {
            Path fullLog = tmp.resolve("full.log");
            Process p = qat4j(fullLog, with("--out", tmp.resolve("full").toString(), "--data-dir", data.toString()))
                    .start();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), Files.readString(fullLog));
            uninterrupted = sha(fullLog);
        }
        return uninterrupted;
    }

    private static String resumed(Path run, String name) throws Exception {
        Path resumeLog = tmp.resolve("resume-" + name + ".log");
        Process resume = qat4j(resumeLog, "resume", run.toString(), "--data-dir", data.toString()).start();
        assertTrue(resume.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, resume.exitValue(), Files.readString(resumeLog));
        return sha(resumeLog);
    }

    @Test
    void killedRunsResumeToTheSameParameters() throws Exception {
        String expected = expected();

        for (int killAfter : new int[] {1, 3, 5}) {
            Path run = tmp.resolve("killed-" + killAfter);
            Path log = tmp.resolve("killed-" + killAfter + ".log");
            Process victim = qat4j(log, with("--out", run.toString(), "--data-dir", data.toString())).start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (checkpoints(run) < killAfter && victim.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            victim.destroyForcibly();
            victim.waitFor(1, TimeUnit.MINUTES);
            assertEquals(expected, resumed(run, "killed-" + killAfter), "killed after " + killAfter + " checkpoints");
        }
    }

    /** SIGTERM (what Ctrl-C amounts to) mid-epoch: the step finishes, a checkpoint is written, resume is exact. */
    @Test
    void terminatedRunCheckpointsWhereItStoppedAndResumesExactly() throws Exception {
        Path run = tmp.resolve("terminated");
        Path log = tmp.resolve("terminated.log");
        List<String> args = new ArrayList<>(List.of(with("--out", run.toString(), "--data-dir", data.toString(),
                "--log-every", "1")));
        args.set(args.indexOf("--checkpoint-every") + 1, "0");
        Process victim = qat4j(log, args.toArray(new String[0])).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.readString(log).contains("batch 4/") && victim.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        victim.destroy();
        assertTrue(victim.waitFor(2, TimeUnit.MINUTES));
        assertEquals(128 + 15, victim.exitValue(), Files.readString(log));
        Matcher m = Pattern.compile("stopped by a signal at epoch 1 batch \\d+/10 \\(iteration (\\d+)\\); checkpoint "
                + "(ckpt-\\d+) written; continue with 'qat4j resume " + Pattern.quote(run.toString()) + "'")
                .matcher(Files.readString(log));
        assertTrue(m.find(), Files.readString(log));
        assertEquals(String.format("ckpt-%012d", Integer.parseInt(m.group(1))), m.group(2));
        assertTrue(Files.isDirectory(run.resolve("checkpoints").resolve(m.group(2))));
        assertEquals(1, checkpoints(run), "only the checkpoint written on the signal (none periodic, no epoch end)");
        assertTrue(Files.readString(run.resolve("train.log")).contains("stopped by a signal"));
        assertEquals(expected(), resumed(run, "terminated"));
    }

    @Test
    void resumeWithoutCheckpointAndBadSettingsSayOneLine() throws Exception {
        Path empty = tmp.resolve("nothing");
        Files.createDirectories(empty);
        Path log = tmp.resolve("nothing.log");
        Process p = qat4j(log, "resume", empty.toString()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(2, p.exitValue());
        String out = Files.readString(log).strip();
        assertTrue(out.startsWith("qat4j: no checkpoint to resume from") && !out.contains("\n"), out);

        Path bad = tmp.resolve("bad.log");
        p = qat4j(bad, "train", "--recipe", "fmnist-quickstart", "--set", "epochs=many", "--out",
                tmp.resolve("bad").toString()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(2, p.exitValue());
        out = Files.readString(bad).strip();
        assertEquals("qat4j: recipe fmnist-quickstart: epochs must be an integer in 1..100000 (got 'many')", out);
    }
}
