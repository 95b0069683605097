package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.recipe.PostTrainingQuantization;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.recipe.TeacherSettings;
import org.qat4j.framework.train.CheckpointState;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;

/**
 * {@code qat4j quantize --checkpoint FP32 --recipe NAME --out DIR}: post-training quantization of a full-precision
 * checkpoint into a recipe's formats ({@link PostTrainingQuantization}), as a calibration run in DIR that resumes,
 * evaluates and samples like any other run.
 */
final class QuantizeCommand implements Command {

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "post-training quantization of a full-precision checkpoint into a recipe's formats (a calibration run)";
    }

    @Override
    public Options options() {
        return RunOptions.add(new Options()
                .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("PATH").required()
                        .desc("the full-precision checkpoint: run directory, checkpoint directory or model.zip")
                        .build())
                .addOption(Option.builder().longOpt("recipe").hasArg().argName("NAME").required()
                        .desc("the recipe whose formats to quantize into (one with a post-training form)").build())
                .addOption(Option.builder().longOpt("out").hasArg().argName("DIR").required()
                        .desc("run directory of the calibration, new or empty").build())
                .addOption(Option.builder().longOpt("set").hasArg().argName("KEY=VALUE")
                        .desc("a hyperparameter of the calibration run; repeatable").build()));
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        Recipe recipe = Recipes.create(line.getOptionValue("recipe"));
        if (!(recipe instanceof PostTrainingQuantization ptq)) {
            throw new UsageException("quantize: recipe " + recipe.name() + " has no post-training form; it trains "
                    + "quantization-aware with qat4j train");
        }
        Path source = Path.of(line.getOptionValue("checkpoint"));
        CheckpointState state = CheckpointStore.open(source).state();
        if (!state.recipe.equals(ptq.sourceRecipe())) {
            throw new UsageException("quantize: " + source + " is a checkpoint of " + state.recipe + "; recipe "
                    + recipe.name() + " quantizes checkpoints of " + ptq.sourceRecipe());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        state.hyperparameters.forEach((k, v) -> {
            if (recipe.hyperparameters().values().containsKey(k)) {
                settings.put(k, v);
            }
        });
        settings.putAll(ptq.postTrainingSettings());
        settings.putAll(KeyValues.parse(line.getOptionValues("set")));
        settings.put(TeacherSettings.TEACHER, source.toString());
        recipe.hyperparameters().setAll(settings);
        new Trainer(RunOptions.parse(line, Path.of(line.getOptionValue("out"))), out).start(recipe);
        return Qat4j.OK;
    }
}
