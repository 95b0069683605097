package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.nd4j.evaluation.classification.Evaluation;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.qat4j.framework.recipe.ClassificationRecipe;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.TestScore;

/** {@code qat4j eval --checkpoint FILE}: the test score of a checkpoint (accuracy for classifiers). */
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
                .addOption(Option.builder().longOpt("data-dir").hasArg().argName("DIR").desc("the recipe's data directory")
                        .build())
                .addOption(Option.builder().longOpt("test-limit").hasArg().argName("N")
                        .desc("evaluate on the first N test examples").build())
                .addOption(Option.builder().longOpt("per-class").desc("precision, recall and F1 of every class, "
                        + "and the confusion matrix").build());
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
        boolean perClass = line.hasOption("per-class");
        if (perClass && !(recipe instanceof ClassificationRecipe)) {
            throw new UsageException("eval: --per-class needs a classification recipe; " + recipe.name() + " is not "
                    + "one");
        }
        ComputationGraph net = opened.checkpoint().inferenceModel();
        TestScore score = recipe.evaluate(net, d.test());
        out.printf(Locale.ROOT, "%s (%s, epoch %d): %s on %d %s from %s%n", opened.checkpoint().path(), recipe.name(),
                opened.checkpoint().state().epoch, score.summary(), d.test().size(), d.test().unit(), d.source());
        if (perClass) {
            printPerClass(ClassificationRecipe.evaluation(net, d.test(), recipe.batchSize.get()),
                    d.test().classNames(), d.test().unit(), out);
        }
        return Qat4j.OK;
    }

    private static void printPerClass(Evaluation eval, List<String> names, String unit, PrintStream out) {
        int width = Math.max("macro average".length(), names.stream().mapToInt(String::length).max().orElse(0));
        String row = "%-" + width + "s  %9s  %9s  %9s  %6s%n";
        out.printf(Locale.ROOT, row, "class", "precision", "recall", "F1", unit);
        int total = 0;
        for (int c = 0; c < names.size(); c++) {
            out.printf(Locale.ROOT, row, names.get(c), f4(eval.precision(c)), f4(eval.recall(c)), f4(eval.f1(c)),
                    eval.classCount(c));
            total += eval.classCount(c);
        }
        out.printf(Locale.ROOT, row, "macro average", f4(eval.precision()), f4(eval.recall()), f4(eval.f1()), total);
        out.println("confusion matrix (rows: true class, columns: predicted class):");
        int cell = Math.max(3, String.valueOf(total).length()) + 1;
        StringBuilder header = new StringBuilder(" ".repeat(cell));
        for (int c = 0; c < names.size(); c++) {
            header.append(String.format(Locale.ROOT, "%" + cell + "d", c));
        }
        out.println(header);
        for (int t = 0; t < names.size(); t++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%" + cell + "d", t));
            for (int p = 0; p < names.size(); p++) {
                line.append(String.format(Locale.ROOT, "%" + cell + "d", eval.getConfusion().getCount(t, p)));
            }
            out.println(line.append("  ").append(names.get(t)));
        }
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
