package org.qat4j.framework.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.data.EpochBatches;
import org.qat4j.framework.data.LabeledExamples;
import org.qat4j.framework.export.Exporter;
import org.qat4j.framework.export.Q4jFile;
import org.qat4j.framework.export.Q4jModel;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;

/** The engine reproduces DL4J's inference of an exported network on real test images. */
class EngineTest {

    @TempDir
    Path tmp;

    @Test
    void theEngineGivesDl4jsOutputsWithPackedBinaryConvolutions() throws Exception {
        Recipe recipe = Recipes.create("tiny");
        Path run = tmp.resolve("run");
        new Trainer(new Trainer.Options(run, null, 0, 1, 100, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start(recipe);
        ComputationGraph net = CheckpointStore.open(run).model();
        Exporter.Result r = Exporter.export(net, recipe.inputTypes()[0], Map.of("recipe", "tiny"));
        Path file = tmp.resolve("tiny.q4j");
        Q4jFile.write(file, r.header(), r.blob());
        Engine engine = new Engine(Q4jModel.read(file));
        assertEquals(1, engine.packedConvolutions());
        LabeledExamples test = recipe.loadData(null).test();
        int[] rows = new int[100];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        INDArray x = test.batch(rows).getFeatures();
        Map<String, INDArray> ours = engine.run(x);
        Map<String, INDArray> dl4j = net.feedForward(x, false);
        assertEquals(dl4j.get("sign"), ours.get("sign"), "binary activations");
        assertEquals(null, ours.get("c2"), "the convolution's output is fused into its batch norm");
        assertEquals(dl4j.get("bn2"), ours.get("bn2"), "binary convolution and batch norm");
        INDArray logits = ours.get("out/logits");
        assertTrue(net.outputSingle(false, x).equalsWithEps(ours.get("out"), 1e-5), "probabilities");
        assertTrue(logits.rank() == 2);
    }
}
