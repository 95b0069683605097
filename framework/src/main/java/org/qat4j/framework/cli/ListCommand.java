package org.qat4j.framework.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.qat4j.estimators.QuantizerRegistry;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;

/** {@code qat4j list}: every estimator, scaling rule and quantizer with its parameters and defaults. */
final class ListCommand implements Command {

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "list recipes, estimators, scaling rules and quantizers with their parameters and defaults";
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(CommandLine line, PrintStream out) {
        out.println("recipes:");
        for (Recipe r : Recipes.all()) {
            out.printf("  %-26s %s%n", r.name(), r.description());
            for (Hyperparameters.Param<?> p : r.hyperparameters().all()) {
                out.printf("  %26s   %s=%s  %s%n", "", p.name(), p.get(), p.description());
            }
        }
        out.println();
        QuantizerRegistry.Category current = null;
        for (QuantizerRegistry.Entry e : QuantizerRegistry.entries()) {
            if (e.category() != current) {
                current = e.category();
                out.println((current.ordinal() == 0 ? "" : System.lineSeparator()) + current.title() + ":");
            }
            out.printf("  %-12s %s%n", e.name(), e.summary());
            for (QuantizerRegistry.Param p : e.params()) {
                out.printf("  %12s   %s=%s  %s%n", "", p.name(), p.defaultValue(), p.description());
            }
        }
        return Qat4j.OK;
    }
}
