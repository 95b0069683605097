package org.qat4j.framework.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointStore;

/** Reads a checkpoint named on the command line (a checkpoint directory, its model.zip, or a run directory). */
final class CheckpointArgs {

    record Opened(CheckpointStore.Loaded checkpoint, Recipe recipe) {
    }

    private CheckpointArgs() {
    }

    static Opened open(String arg) throws IOException {
        CheckpointStore.Loaded loaded = CheckpointStore.open(Path.of(arg));
        Recipe recipe = Recipes.create(loaded.state().recipe);
        recipe.hyperparameters().setAll(loaded.state().hyperparameters);
        recipe.restoreDerivedState(loaded.state().derivedState);
        return new Opened(loaded, recipe);
    }
}
