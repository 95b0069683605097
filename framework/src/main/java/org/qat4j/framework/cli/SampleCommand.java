package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.diffusion.ImageGrid;

/** {@code qat4j sample --checkpoint FILE --n 64 [--steps 50] --out grid.png}: a seeded grid of generated images. */
final class SampleCommand implements Command {

    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String summary() {
        return "draw images from a diffusion checkpoint into a PNG grid (seeded, reproducible)";
    }

    @Override
    public Options options() {
        return DiffusionSampling.options(new Options())
                .addOption(Option.builder().longOpt("n").hasArg().argName("N").desc("images to draw (default 64)")
                        .build())
                .addOption(Option.builder().longOpt("out").hasArg().argName("PNG").required()
                        .desc("the grid to write (an existing file is replaced)").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        int n = InferCommand.positive(line, "n", 64);
        Path png = Path.of(line.getOptionValue("out"));
        if (Files.isDirectory(png)) {
            throw new UsageException("sample: --out " + png + " is a directory; name a PNG file");
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("sample: the directory of --out " + png + " does not exist");
        }
        DiffusionSampling sampling = DiffusionSampling.open("sample", line);
        DiffusionSampling.Samples s = sampling.sample("sample", line, n);
        ImageGrid.write(s.images(), png);
        out.printf(Locale.ROOT, "%d images from %s (%s, epoch %d; %s) in %s: %.3f s per image%n", n,
                sampling.opened().checkpoint().path(), sampling.recipe().name(),
                sampling.opened().checkpoint().state().epoch, s.sampler(), png, s.secondsPerImage());
        return Qat4j.OK;
    }
}
