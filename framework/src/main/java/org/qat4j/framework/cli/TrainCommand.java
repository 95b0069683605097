package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.recipe.TeacherSettings;
import org.qat4j.framework.train.Trainer;

/** {@code qat4j train}: trains a recipe into a run directory. */
final class TrainCommand implements Command {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a recipe (checkpoints, metrics.csv, train.log and curves.png in the run directory)";
    }

    @Override
    public String details() {
        return String.join(System.lineSeparator(), "", "Example: qat4j train --recipe fmnist-quickstart --out runs/quick",
                "Recipes and their hyperparameters: qat4j list");
    }

    @Override
    public Options options() {
        return RunOptions.add(new Options()
                .addOption(Option.builder().longOpt("recipe").hasArg().argName("NAME").required()
                        .desc("recipe to train (see qat4j list)").build())
                .addOption(Option.builder().longOpt("out").hasArg().argName("DIR")
                        .desc("run directory, new or empty (default runs/RECIPE-TIMESTAMP)").build())
                .addOption(Option.builder().longOpt("epochs").hasArg().argName("N").desc("same as --set epochs=N")
                        .build())
                .addOption(Option.builder().longOpt("seed").hasArg().argName("S").desc("same as --set seed=S").build())
                .addOption(Option.builder().longOpt("train-limit").hasArg().argName("N")
                        .desc("same as --set trainLimit=N").build())
                .addOption(Option.builder().longOpt("test-limit").hasArg().argName("N")
                        .desc("same as --set testLimit=N").build())
                .addOption(Option.builder().longOpt("teacher").hasArg().argName("CHECKPOINT")
                        .desc("the teacher of a distilled recipe (run directory, checkpoint directory or model.zip); "
                                + "same as --set teacher=CHECKPOINT").build())
                .addOption(Option.builder().longOpt("set").hasArg().argName("KEY=VALUE")
                        .desc("a hyperparameter of the recipe; repeatable").build()));
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        Recipe recipe = Recipes.create(line.getOptionValue("recipe"));
        Map<String, String> settings = KeyValues.parse(line.getOptionValues("set"));
        for (String[] alias : new String[][] {{"epochs", "epochs"}, {"seed", "seed"}, {"train-limit", "trainLimit"},
            {"test-limit", "testLimit"}, {"teacher", TeacherSettings.TEACHER}}) {
            if (line.hasOption(alias[0])) {
                if (settings.containsKey(alias[1])) {
                    throw new UsageException("--" + alias[0] + " and --set " + alias[1] + " both given");
                }
                settings.put(alias[1], line.getOptionValue(alias[0]));
            }
        }
        if (settings.containsKey(TeacherSettings.TEACHER) && recipe.distillation() == null) {
            throw new UsageException("recipe " + recipe.name() + " does not distil from a teacher; --teacher applies "
                    + "to distilled recipes (qat4j list)");
        }
        recipe.hyperparameters().setAll(settings);
        Path dir = Path.of(line.getOptionValue("out", "runs/" + recipe.name() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        new Trainer(RunOptions.parse(line, dir), out).start(recipe);
        return Qat4j.OK;
    }
}
