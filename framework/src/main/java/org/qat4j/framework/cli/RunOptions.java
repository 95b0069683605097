package org.qat4j.framework.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.train.Trainer;

/** Options shared by train and resume: data, checkpointing and logging. */
final class RunOptions {

    private RunOptions() {
    }

    static Options add(Options o) {
        return o.addOption(Option.builder().longOpt("data-dir").hasArg().argName("DIR")
                        .desc("Fashion-MNIST directory (default: $QAT4J_DATA, /usr/share/datasets/fashion-mnist, "
                                + "then the bundled sample)").build())
                .addOption(Option.builder().longOpt("checkpoint-every").hasArg().argName("N")
                        .desc("also checkpoint every N iterations (default 0: at epoch ends only)").build())
                .addOption(Option.builder().longOpt("keep").hasArg().argName("K")
                        .desc("checkpoints to keep besides the best (default 3)").build())
                .addOption(Option.builder().longOpt("log-every").hasArg().argName("N")
                        .desc("log a metrics row every N iterations (default 20)").build())
                .addOption(Option.builder().longOpt("profile")
                        .desc("print where each epoch's step time goes: data, qat4j layers (forward, backward, "
                                + "quantizers), DL4J layers and updater").build());
    }

    static Trainer.Options parse(CommandLine line, Path runDir) {
        String data = line.getOptionValue("data-dir");
        return new Trainer.Options(runDir, data == null ? null : Path.of(data),
                integer(line, "checkpoint-every", 0, 0), integer(line, "keep", 3, 1), integer(line, "log-every", 20, 1),
                System.console() != null, line.hasOption("profile"));
    }

    static int integer(CommandLine line, String name, int def, int min) {
        String v = line.getOptionValue(name);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--" + name + " must be an integer >= " + min + " (got '" + v + "')");
    }
}
