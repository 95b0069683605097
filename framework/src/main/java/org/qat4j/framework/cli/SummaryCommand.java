package org.qat4j.framework.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.ParamsHash;
import org.qat4j.layers.Quantizing;
import org.qat4j.layers.summary.ModelSummary;

/** {@code qat4j summary}: the model summary of a recipe or a checkpoint, and the hash of its parameters. */
final class SummaryCommand implements Command {

    @Override
    public String name() {
        return "summary";
    }

    @Override
    public String summary() {
        return "layer-by-layer precision, size and MACs of a recipe's model or a checkpoint, with a params sha256";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("recipe").hasArg().argName("NAME").desc("a recipe's fresh model")
                        .build())
                .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("PATH")
                        .desc("a checkpoint (directory, model.zip or run directory)").build())
                .addOption(Option.builder().longOpt("set").hasArg().argName("KEY=VALUE")
                        .desc("a hyperparameter of the recipe; repeatable").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        if (line.hasOption("recipe") == line.hasOption("checkpoint")) {
            throw new UsageException("summary: give exactly one of --recipe and --checkpoint");
        }
        ComputationGraph net;
        Recipe recipe;
        if (line.hasOption("recipe")) {
            recipe = Recipes.create(line.getOptionValue("recipe"));
            recipe.hyperparameters().setAll(KeyValues.parse(line.getOptionValues("set")));
            net = recipe.model(1);
            // the size and precision a recipe promises are those of the model it ends with (BiPer, for one,
            // trains real-valued weights until its stage switch)
            int lastEpoch = recipe.epochs.get() - 1;
            for (Layer layer : net.getLayers()) {
                if (layer.conf().getLayer() instanceof Quantizing q) {
                    q.onProgress(lastEpoch, lastEpoch);
                }
            }
            for (org.deeplearning4j.nn.conf.graph.GraphVertex v : net.getConfiguration().getVertices().values()) {
                if (v instanceof Quantizing q) {
                    q.onProgress(lastEpoch, lastEpoch);
                }
            }
            out.println("(a fresh model, its quantizer schedules as at the end of training, epoch " + (lastEpoch + 1)
                    + ")");
        } else {
            if (line.hasOption("set")) {
                throw new UsageException("summary: --set applies to --recipe only");
            }
            CheckpointArgs.Opened opened = CheckpointArgs.open(line.getOptionValue("checkpoint"));
            net = opened.checkpoint().model();
            recipe = opened.recipe();
        }
        out.print(ModelSummary.of(net, recipe.inputTypes()));
        out.println("params sha256: " + ParamsHash.of(net));
        return Qat4j.OK;
    }
}
