package org.qat4j.framework.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;

/** Reads a checkpoint named on the command line (a checkpoint directory, its model.zip, or a run directory). */
final class CheckpointArgs {

    record Opened(CheckpointStore.Loaded checkpoint, Recipe recipe) {
    }

    private CheckpointArgs() {
    }

    static Opened open(String arg) throws IOException {
        Path p = Path.of(arg);
        if (!Files.exists(p)) {
            throw new UsageException("no such checkpoint: " + p);
        }
        if (Files.isRegularFile(p)) {
            if (!p.getFileName().toString().equals("model.zip")) {
                throw new UsageException("not a checkpoint: " + p
                        + " (give a run directory, a checkpoint directory or its model.zip)");
            }
            p = p.toAbsolutePath().getParent();
        }
        // a checkpoint directory sits in RUN/checkpoints/
        Path runDir = Files.isRegularFile(p.resolve("model.zip")) ? ancestor(p.toAbsolutePath(), 2) : p;
        CheckpointStore store = new CheckpointStore(runDir, Trainer.recipePackages());
        CheckpointStore.Loaded loaded;
        if (Files.isDirectory(p) && !Files.isRegularFile(p.resolve("model.zip"))) {
            loaded = store.loadLatest();
            if (loaded == null) {
                throw new UsageException("no checkpoint in " + store.directory());
            }
        } else {
            loaded = store.load(p);
        }
        Recipe recipe = Recipes.create(loaded.state().recipe);
        recipe.hyperparameters().setAll(loaded.state().hyperparameters);
        return new Opened(loaded, recipe);
    }

    private static Path ancestor(Path p, int levels) {
        Path a = p;
        for (int i = 0; i < levels && a.getParent() != null; i++) {
            a = a.getParent();
        }
        return a;
    }
}
