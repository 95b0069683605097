package org.qat4j.framework.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.qat4j.framework.recipe.TestScore;
import org.qat4j.framework.train.CheckpointState;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;

/**
 * {@code qat4j report DIR}: one Markdown table row per run (DIR itself, or each run directory inside it) with the
 * recipe's test metric, its last and its best value, the final training loss and the training time per epoch, read from the newest
 * checkpoint that verifies. Runs in progress are reported as far as they got.
 */
final class ReportCommand implements Command {

    @Override
    public String name() {
        return "report";
    }

    @Override
    public String summary() {
        return "tabulate the results of a run directory, or of every run in a directory (Markdown)";
    }

    @Override
    public String positional() {
        return "DIR";
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws IOException {
        Path dir = Path.of(line.getArgList().get(0));
        if (!Files.isDirectory(dir)) {
            throw new UsageException("report: " + (Files.exists(dir) ? dir + " is not a directory"
                    : "no directory " + dir));
        }
        List<Path> runs = new ArrayList<>();
        if (Files.isDirectory(dir.resolve(CheckpointStore.FOLDER))) {
            runs.add(dir);
        } else {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) {
                    if (Files.isDirectory(p.resolve(CheckpointStore.FOLDER))) {
                        runs.add(p);
                    }
                }
            }
            runs.sort(null);
        }
        if (runs.isEmpty()) {
            throw new UsageException("report: " + dir + " holds no run (no checkpoints/ directory)");
        }
        out.println("| run | recipe | epochs | metric | last | best (epoch) | train loss | train accuracy "
                + "| train min/epoch | qat4j |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Path run : runs) {
            CheckpointState s = new CheckpointStore(run, Trainer.recipePackages()).latestState();
            if (s == null || s.history.isEmpty()) {
                out.printf("| %s | %s | 0 | | | | | | | %s |%n", run.getFileName(),
                        s == null ? "(no readable checkpoint)" : s.recipe, s == null || s.qat4j == null ? "" : s.qat4j);
                continue;
            }
            CheckpointState.EpochRecord last = s.history.get(s.history.size() - 1);
            CheckpointState.EpochRecord best = last;
            double seconds = 0;
            int timed = 0;
            for (CheckpointState.EpochRecord r : s.history) {
                if (TestScore.better(r.testScore, best.testScore, s.higherIsBetter)) {
                    best = r;
                }
                if (r.trainSeconds > 0) {
                    seconds += r.trainSeconds;
                    timed++;
                }
            }
            out.printf(Locale.ROOT, "| %s | %s | %d/%s | %s | %s | %s (%d) | %.4f | %s | %s | %s |%n",
                    run.getFileName(), s.recipe, s.history.size(), s.hyperparameters.getOrDefault("epochs", "?"),
                    s.metric(), value(s, last.testScore), value(s, best.testScore), best.epoch + 1, last.trainLoss,
                    Double.isNaN(last.trainAccuracy) ? "n/a" : String.format(Locale.ROOT, "%.2f%%",
                            100 * last.trainAccuracy),
                    timed == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", seconds / timed / 60),
                    s.qat4j == null ? "not recorded" : s.qat4j);
        }
        return Qat4j.OK;
    }

    /** Accuracy in percent, other metrics with four decimals. */
    private static String value(CheckpointState s, double v) {
        return s.metric().equals(TestScore.ACCURACY) ? String.format(Locale.ROOT, "%.2f%%", 100 * v)
                : String.format(Locale.ROOT, "%.4f", v);
    }
}
