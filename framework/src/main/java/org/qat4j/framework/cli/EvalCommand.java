package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.train.Trainer;

/** {@code qat4j eval --checkpoint FILE}: test accuracy of a checkpoint. */
final class EvalCommand implements Command {

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "evaluate a checkpoint on the test set of its recipe";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("PATH").required()
                        .desc("checkpoint directory, its model.zip, or a run directory (newest checkpoint)").build())
                .addOption(Option.builder().longOpt("data-dir").hasArg().argName("DIR").desc("Fashion-MNIST directory")
                        .build())
                .addOption(Option.builder().longOpt("test-limit").hasArg().argName("N")
                        .desc("evaluate on the first N test images").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        CheckpointArgs.Opened opened = CheckpointArgs.open(line.getOptionValue("checkpoint"));
        Recipe recipe = opened.recipe();
        if (line.hasOption("test-limit")) {
            recipe.hyperparameters().set("testLimit", line.getOptionValue("test-limit"));
        }
        String data = line.getOptionValue("data-dir");
        Recipe.Data d = recipe.loadData(data == null ? null : Path.of(data));
        double acc = Trainer.evaluate(opened.checkpoint().model(), d.test(), recipe.batchSize.get());
        out.printf(Locale.ROOT, "%s (%s, epoch %d): test accuracy %.4f on %d images from %s%n",
                opened.checkpoint().path(), recipe.name(), opened.checkpoint().state().epoch, acc, d.test().size(),
                d.source());
        return Qat4j.OK;
    }
}
