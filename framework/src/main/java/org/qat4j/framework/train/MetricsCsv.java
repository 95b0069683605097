package org.qat4j.framework.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code DIR/metrics.csv}: one row per logged step and one per finished epoch. On resume the rows written after the
 * checkpoint's iteration are dropped, so the file reads as if the run had never stopped.
 */
public final class MetricsCsv implements AutoCloseable {

    public static final String HEADER =
            "epoch,iteration,lr,train_loss,train_accuracy,test_score,samples_per_s,flip_ratio";
    private static final int COLUMNS = HEADER.split(",").length;

    private final BufferedWriter out;

    public MetricsCsv(Path file, long keepThroughIteration) throws IOException {
        List<String> keep = new ArrayList<>();
        keep.add(HEADER);
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(",", -1);
                if (f.length == COLUMNS && !line.equals(HEADER)) {
                    try {
                        if (Long.parseLong(f[1]) <= keepThroughIteration) {
                            keep.add(line);
                        }
                    } catch (NumberFormatException ignored) {
                        // a torn last line from a killed run: dropped
                    }
                }
            }
        }
        CheckpointStore.writeAtomically(file, (String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8));
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    public void row(int epoch, long iteration, double lr, double trainLoss, double trainAccuracy, double testScore,
            double samplesPerSec, double flipRatio) throws IOException {
        out.write(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%s%n", epoch, iteration, num(lr), num(trainLoss),
                num(trainAccuracy), num(testScore), num(samplesPerSec), num(flipRatio)));
        out.flush();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
