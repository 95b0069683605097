package org.qat4j.framework.cli;

import java.io.IOException;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.diffusion.DdimSampler;
import org.qat4j.framework.diffusion.DdpmSampler;
import org.qat4j.framework.diffusion.DiffusionImages;
import org.qat4j.framework.diffusion.DiffusionSampler;
import org.qat4j.framework.recipe.DiffusionRecipe;

/**
 * What {@code sample} and {@code fid} share: the diffusion checkpoint they draw from (with its weight average when
 * the run kept one), the sampler options and a timed, seeded sampling run.
 */
final class DiffusionSampling {

    /** Images drawn, and the wall time per image. */
    record Samples(INDArray images, double secondsPerImage, String sampler) {
    }

    private final CheckpointArgs.Opened opened;
    private final DiffusionRecipe recipe;
    private final ComputationGraph net;

    private DiffusionSampling(CheckpointArgs.Opened opened, DiffusionRecipe recipe) {
        this.opened = opened;
        this.recipe = recipe;
        this.net = opened.checkpoint().inferenceModel();
    }

    static Options options(Options o) {
        return o.addOption(Option.builder().longOpt("checkpoint").hasArg().argName("PATH").required()
                        .desc("a diffusion checkpoint: directory, model.zip or run directory (newest checkpoint)")
                        .build())
                .addOption(Option.builder().longOpt("sampler").hasArg().argName("NAME")
                        .desc("ddim (default) or ddpm (all T steps)").build())
                .addOption(Option.builder().longOpt("steps").hasArg().argName("N")
                        .desc("DDIM timesteps (default 50)").build())
                .addOption(Option.builder().longOpt("eta").hasArg().argName("E")
                        .desc("DDIM noise scale in [0, 1] (default 0: deterministic)").build())
                .addOption(Option.builder().longOpt("seed").hasArg().argName("S")
                        .desc("seed of the initial noise (default 0); the same seed draws the same images").build())
                .addOption(Option.builder().longOpt("batch").hasArg().argName("B")
                        .desc("images per forward pass (default 64)").build());
    }

    static DiffusionSampling open(String command, CommandLine line) throws IOException {
        CheckpointArgs.Opened opened = CheckpointArgs.open(line.getOptionValue("checkpoint"));
        if (!(opened.recipe() instanceof DiffusionRecipe recipe)) {
            throw new UsageException(command + ": " + opened.checkpoint().path() + " is a checkpoint of recipe "
                    + opened.recipe().name() + ", not of a diffusion recipe");
        }
        return new DiffusionSampling(opened, recipe);
    }

    CheckpointArgs.Opened opened() {
        return opened;
    }

    DiffusionRecipe recipe() {
        return recipe;
    }

    /** Draws n images with the sampler the options name, with a progress bar on a terminal. */
    Samples sample(String command, CommandLine line, int n) {
        String name = line.getOptionValue("sampler", "ddim");
        int batch = InferCommand.positive(line, "batch", 64);
        long seed;
        try {
            seed = Long.parseLong(line.getOptionValue("seed", "0"));
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --seed must be an integer, got '" + line.getOptionValue("seed")
                    + "'");
        }
        DiffusionSampler sampler;
        String described;
        try {
            if (name.equals("ddim")) {
                int steps = InferCommand.positive(line, "steps", 50);
                double eta = Double.parseDouble(line.getOptionValue("eta", "0"));
                sampler = DdimSampler.builder(recipe.schedule()).steps(steps).eta(eta).batchSize(batch).build();
                described = String.format(Locale.ROOT, "DDIM, %d steps, eta %s", steps, eta);
            } else if (name.equals("ddpm")) {
                if (line.hasOption("steps") || line.hasOption("eta")) {
                    throw new UsageException(command + ": --steps and --eta are DDIM's; DDPM takes all "
                            + recipe.timesteps.get() + " steps");
                }
                sampler = DdpmSampler.builder(recipe.schedule()).batchSize(batch).build();
                described = "DDPM, " + recipe.timesteps.get() + " steps";
            } else {
                throw new UsageException(command + ": --sampler must be ddim or ddpm, got '" + name + "'");
            }
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --eta must be a number, got '" + line.getOptionValue("eta") + "'");
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": " + e.getMessage());
        }
        long t0 = System.nanoTime();
        INDArray images;
        boolean terminal = System.console() != null;
        try (ProgressBar bar = terminal ? new ProgressBarBuilder().setTaskName(command)
                .setInitialMax(sampler.totalSteps(n)).setStyle(ProgressBarStyle.ASCII).setUnit(" steps", 1)
                .build() : null) {
            images = sampler.sample(DiffusionRecipe.epsilonModel(net), n,
                    new long[] {1, DiffusionImages.SIZE, DiffusionImages.SIZE}, seed, done -> {
                        if (bar != null) {
                            bar.stepTo(done);
                        }
                    });
        }
        return new Samples(images, (System.nanoTime() - t0) / 1e9 / n, described + ", seed " + seed);
    }
}
