package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.qat4j.framework.data.EpochBatches;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.data.LabeledImages;
import org.qat4j.framework.export.Q4jModel;
import org.qat4j.framework.infer.Engine;

/** {@code qat4j infer --model MODEL.q4j}: test accuracy of an exported model, run by qat4j's inference engine. */
final class InferCommand implements Command {

    @Override
    public String name() {
        return "infer";
    }

    @Override
    public String summary() {
        return "test accuracy of an exported .q4j model on Fashion-MNIST, run by the inference engine";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("model").hasArg().argName("FILE").required()
                        .desc("a .q4j model written by qat4j export").build())
                .addOption(Option.builder().longOpt("data-dir").hasArg().argName("DIR").desc("Fashion-MNIST directory")
                        .build())
                .addOption(Option.builder().longOpt("test-limit").hasArg().argName("N")
                        .desc("the first N test images").build())
                .addOption(Option.builder().longOpt("batch").hasArg().argName("N").desc("images per batch (64)")
                        .build());
    }

    /** Reads the model and checks it takes Fashion-MNIST images. */
    static Engine engine(String file) throws Exception {
        Q4jModel model = Q4jModel.read(Path.of(file));
        if (!Arrays.equals(model.inputShape(), new long[] {1, 28, 28})) {
            throw new UsageException(file + " takes input " + Arrays.toString(model.inputShape())
                    + ", not 28x28 Fashion-MNIST images");
        }
        return new Engine(model);
    }

    static int positive(CommandLine line, String option, int def) {
        String v = line.getOptionValue(option);
        try {
            int n = v == null ? def : Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--" + option + " must be a positive integer (got '" + v + "')");
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        Engine engine = engine(line.getOptionValue("model"));
        int batch = positive(line, "batch", 64);
        String dir = line.getOptionValue("data-dir");
        FashionMnist data = FashionMnist.load(dir == null ? null : Path.of(dir));
        LabeledImages test = data.test().limit(positive(line, "test-limit", Integer.MAX_VALUE));
        Evaluation eval = new Evaluation(test.classNames());
        long start = System.nanoTime();
        for (int from = 0; from < test.size(); from += batch) {
            int[] rows = java.util.stream.IntStream.range(from, Math.min(from + batch, test.size())).toArray();
            DataSet ds = test.batch(rows);
            eval.eval(ds.getLabels(), engine.output(ds.getFeatures()));
        }
        double secs = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "%s: test accuracy %.4f on %d images from %s (%d convolutions on packed bits, %s; "
                + "%.0f images/s)%n", line.getOptionValue("model"), eval.accuracy(), test.size(), data.source(),
                engine.packedConvolutions(), engine.popcountLoop(), test.size() / secs);
        return Qat4j.OK;
    }
}
