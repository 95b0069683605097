package org.qat4j.framework.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.framework.recipe.Recipes;

/** The named arrays a checkpoint holds beside its model (the weight average): saved, verified, refused, used. */
class CheckpointArraysTest {

    @TempDir
    Path tmp;

    private final TinyRecipe recipe = (TinyRecipe) Recipes.create("tiny");
    private final ComputationGraph model = recipe.model(1);

    private CheckpointStore store() {
        return new CheckpointStore(tmp.resolve("run"), Trainer.recipePackages());
    }

    private Map<String, INDArray> arrays(double scale) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(CheckpointStore.EMA, model.params().mul(scale).reshape(1, model.numParams()));
        out.put("counts-2", Nd4j.createFromArray(new long[][] {{1, 2, 3}, {4, 5, Long.MAX_VALUE}}));
        return out;
    }

    /** The same values bit for bit, whatever the shapes (a model's parameters are a vector, a saved average a row). */
    private static boolean sameValues(INDArray a, INDArray b) {
        return a.dataType() == b.dataType() && a.reshape(a.length()).equalsWithEps(b.reshape(b.length()), 0);
    }

    @Test
    void arraysComeBackAsSavedAndAreListedInTheManifest() throws Exception {
        Map<String, INDArray> saved = arrays(0.5);
        Path ckpt = store().save(model, recipe.firstEpochState(3), saved);
        Map<?, ?> manifest = CheckpointStore.JSON.readValue(ckpt.resolve("manifest.json").toFile(), Map.class);
        assertEquals(List.of("model.zip", "state.json", "ema.nd4j", "counts-2.nd4j"), List.copyOf(manifest.keySet()));
        assertEquals(CheckpointStore.sha256(ckpt.resolve("ema.nd4j")), manifest.get("ema.nd4j"));

        CheckpointStore.Loaded loaded = store().load(ckpt);
        assertEquals(saved.keySet(), loaded.arrays().keySet());
        for (String name : saved.keySet()) {
            INDArray back = loaded.arrays().get(name);
            assertEquals(saved.get(name).dataType(), back.dataType(), name);
            assertEquals(java.util.Arrays.toString(saved.get(name).shape()), java.util.Arrays.toString(back.shape()), name);
            assertTrue(saved.get(name).equalsWithEps(back, 0), name + " bit for bit");
        }
        assertTrue(store().load(store().save(model, recipe.firstEpochState(4))).arrays().isEmpty(), "a checkpoint without arrays");
    }

    @Test
    void aDamagedArrayMakesTheCheckpointCorruptAndTheRunFallsBack() throws Exception {
        Path previous = store().save(model, recipe.firstEpochState(1), arrays(1));
        Path newest = store().save(model, recipe.firstEpochState(2), arrays(2));
        Path ema = newest.resolve("ema.nd4j");
        byte[] bytes = Files.readAllBytes(ema);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(ema, bytes);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store().load(newest));
        assertEquals("checkpoint " + newest + " is corrupt: a file does not match its SHA-256", e.getMessage());
        CheckpointStore.Loaded loaded = store().loadLatest();
        assertEquals(previous, loaded.path());
        assertTrue(arrays(1).get(CheckpointStore.EMA).equalsWithEps(loaded.arrays().get(CheckpointStore.EMA), 0));
        assertEquals(previous, CheckpointStore.open(tmp.resolve("run")).path());

        Files.delete(ema);
        e = assertThrows(IllegalArgumentException.class, () -> store().load(newest));
        assertEquals("checkpoint " + newest + " is incomplete: ema.nd4j missing", e.getMessage());
    }

    @Test
    void aManifestNamingAFileACheckpointDoesNotHoldIsRefused() throws Exception {
        Path previous = store().save(model, recipe.firstEpochState(1), arrays(1));
        Path newest = store().save(model, recipe.firstEpochState(2), arrays(2));
        byte[] manifest = Files.readAllBytes(newest.resolve("manifest.json"));
        Files.writeString(tmp.resolve("secret.nd4j"), "outside the checkpoint");
        Files.writeString(newest.resolve("notes.txt"), "not a checkpoint file");
        for (String foreign : List.of("notes.txt", "../../../secret.nd4j", tmp.resolve("secret.nd4j").toString(),
                "Ema.nd4j")) {
            Path file = newest.resolve(foreign);
            Map<String, Object> edited = new LinkedHashMap<>(CheckpointStore.JSON.readValue(manifest, Map.class));
            edited.put(foreign, Files.exists(file) ? CheckpointStore.sha256(file) : "0".repeat(64));
            Files.write(newest.resolve("manifest.json"), CheckpointStore.JSON.writeValueAsBytes(edited));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store().load(newest));
            assertEquals("checkpoint " + newest + " is corrupt: its manifest names '" + foreign
                    + "', which a checkpoint does not hold", e.getMessage());
            assertEquals(previous, store().loadLatest().path(), foreign);
        }
    }

    @Test
    void arrayNamesThatAreNotFileNamesAreRefusedAndLeaveNothingBehind() throws Exception {
        store().save(model, recipe.firstEpochState(1), arrays(1));
        for (String name : List.of("EMA", "../ema", "a.b", "", "1st", "ema/2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store().save(model, recipe.firstEpochState(2), Map.of(name, Nd4j.zeros(2))));
            assertEquals("not an array name for a checkpoint: " + name, e.getMessage());
        }
        try (var files = Files.list(store().directory())) {
            assertEquals(List.of("ckpt-000000000001"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theInferenceModelIsTheWeightAverageWhenTheRunKeptOne() throws Exception {
        INDArray trained = model.params().dup();
        Map<String, INDArray> withAverage = arrays(-3);
        CheckpointStore.Loaded loaded = store().load(store().save(model, recipe.firstEpochState(1), withAverage));
        assertTrue(sameValues(trained, loaded.model().params()), "the trained weights are the model's");
        ComputationGraph inference = loaded.inferenceModel();
        assertSame(loaded.model(), inference);
        assertTrue(sameValues(withAverage.get(CheckpointStore.EMA), inference.params()), "the average in place");
        assertFalse(sameValues(trained, inference.params()));

        CheckpointStore.Loaded plain = store().load(store().save(model, recipe.firstEpochState(2), Map.of("other", Nd4j.ones(3))));
        assertTrue(sameValues(trained, plain.inferenceModel().params()), "no average: the trained weights");

        CheckpointStore.Loaded wrong = store().load(store().save(model, recipe.firstEpochState(3), Map.of(CheckpointStore.EMA,
                Nd4j.ones(DataType.FLOAT, 1, model.numParams() - 1))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, wrong::inferenceModel);
        assertEquals("checkpoint " + wrong.path() + ": its weight average has " + (model.numParams() - 1)
                + " values, the model " + model.numParams(), e.getMessage());
    }
}
