package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.diffusion.ImageGrid;
import org.qat4j.framework.metrics.ClassifierFeatures;
import org.qat4j.framework.metrics.FidFmnist;

/**
 * {@code qat4j fid --checkpoint FILE --n 2000}: FID-FMNIST of a diffusion checkpoint's samples against the
 * Fashion-MNIST test set, in the feature space of an FP32 Fashion-MNIST classifier of ours ({@link FidFmnist}).
 */
final class FidCommand implements Command {

    static final String DEFAULT_CLASSIFIER = "runs/fmnist-resnet-fp32";

    @Override
    public String name() {
        return "fid";
    }

    @Override
    public String summary() {
        return "FID-FMNIST of a diffusion checkpoint's samples (features of our FP32 Fashion-MNIST classifier)";
    }

    @Override
    public Options options() {
        return DiffusionSampling.options(new Options())
                .addOption(Option.builder().longOpt("n").hasArg().argName("N")
                        .desc("images to draw (default 2000)").build())
                .addOption(Option.builder().longOpt("classifier").hasArg().argName("PATH")
                        .desc("the FP32 classifier whose penultimate layer gives the features (default "
                                + DEFAULT_CLASSIFIER + ")").build())
                .addOption(Option.builder().longOpt("data-dir").hasArg().argName("DIR")
                        .desc("Fashion-MNIST directory of the reference test set").build())
                .addOption(Option.builder().longOpt("reference").hasArg().argName("N")
                        .desc("compare with the first N test images (default all)").build())
                .addOption(Option.builder().longOpt("grid").hasArg().argName("PNG")
                        .desc("also write the first 64 samples as a grid").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        int n = InferCommand.positive(line, "n", 2000);
        if (n < 2) {
            throw new UsageException("fid: --n must be at least 2 (a covariance needs two samples)");
        }
        ClassifierFeatures classifier = ClassifierFeatures.open(Path.of(line.getOptionValue("classifier",
                DEFAULT_CLASSIFIER)));
        String dataDir = line.getOptionValue("data-dir");
        FidFmnist fid = FidFmnist.load(classifier, dataDir == null ? null : Path.of(dataDir));
        int reference = InferCommand.positive(line, "reference", fid.referenceSize());
        DiffusionSampling sampling = DiffusionSampling.open("fid", line);
        DiffusionSampling.Samples s = sampling.sample("fid", line, n);
        if (line.hasOption("grid")) {
            ImageGrid.write(s.images().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, Math.min(n, 64))),
                    Path.of(line.getOptionValue("grid")));
        }
        FidFmnist.Result r = fid.score(s.images(), reference);
        out.printf(Locale.ROOT, "%s (%s, epoch %d): FID-FMNIST %.3f, %d samples (%s, %.3f s per image) against "
                + "%d test images; features: %s%n", sampling.opened().checkpoint().path(), sampling.recipe().name(),
                sampling.opened().checkpoint().state().epoch, r.fid(), n, s.sampler(), s.secondsPerImage(),
                r.referenceImages(), classifier.describe());
        out.println("labels of the samples: " + r.labels().describe() + String.format(Locale.ROOT,
                " (entropy %.3f bits of %.3f)", r.labelEntropyBits(), Math.log(10) / Math.log(2)));
        return Qat4j.OK;
    }
}
