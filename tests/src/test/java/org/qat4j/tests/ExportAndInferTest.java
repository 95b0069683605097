package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.data.EpochBatches;
import org.qat4j.framework.data.LabeledExamples;
import org.qat4j.framework.export.Exporter;
import org.qat4j.framework.export.Q4jFile;
import org.qat4j.framework.export.Q4jModel;
import org.qat4j.framework.infer.Engine;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;
import org.qat4j.recipes.FmnistResNet;
import org.qat4j.recipes.SpamTransformer;
import org.qat4j.recipes.diffusion.FmnistDdpm;

/**
 * Every exportable recipe, trained briefly, exported and run by the engine on 200 real test images: the binary
 * activations equal DL4J's exactly and the logits agree within 1e-4 relative.
 */
class ExportAndInferTest {

    @TempDir
    Path tmp;

    static Stream<String> recipes() {
        return Recipes.all().stream().map(Recipe::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void theEngineReproducesDl4jOnRealImages(String name) throws Exception {
        Recipe r = Recipes.create(name);
        Map<String, String> settings = new HashMap<>(Map.of("epochs", "1", "batchSize", "32", "trainLimit", "96",
                "testLimit", "200"));
        settings.putAll(TinyTeacher.tinyShape(r));
        r.hyperparameters().setAll(settings);
        TinyTeacher.teach(r);
        Path run = tmp.resolve(name);
        new Trainer(new Trainer.Options(run, null, 0, 1, 100, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start(r);
        ComputationGraph net = CheckpointStore.open(run).model();
        // the engine runs classification CNNs; the encoder's and the U-Net's layers are not in the .q4j format yet
        if (name.equals("fmnist-resnet-dl4j-fp32") || r instanceof SpamTransformer || r instanceof FmnistDdpm) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Exporter.export(net, r.inputTypes()[0], Map.of()));
            // the U-Net's second input (the timestep) is refused before its layers are
            assertTrue(e.getMessage().contains(r instanceof FmnistDdpm ? "one input" : "cannot be exported"),
                    e.getMessage());
            return;
        }
        Exporter.Result exported = Exporter.export(net, r.inputTypes()[0], Map.of("recipe", name));
        Path file = tmp.resolve(name + ".q4j");
        Q4jFile.write(file, exported.header(), exported.blob());
        Q4jModel model = Q4jModel.read(file);
        Engine engine = new Engine(model);
        boolean binary = !name.endsWith("fp32") && !name.endsWith("biper") && !name.contains("lsq")
                && !name.endsWith("fp8") && !name.endsWith("lmb2") && !name.endsWith("fdb");
        assertTrue(!binary || engine.packedConvolutions() > 0, name + ": binary convolutions run on packed bits");

        LabeledExamples test = r.loadData(null).test();
        int[] rows = java.util.stream.IntStream.range(0, test.size()).toArray();
        INDArray x = test.batch(rows).getFeatures();
        Map<String, INDArray> ours = engine.run(x);
        Map<String, INDArray> dl4j = net.feedForward(x, false);
        for (Q4jModel.Op op : model.ops()) {
            if (op.type().equals("quantize") && op.node().path("binary").asBoolean()) {
                assertEquals(dl4j.get(op.name()), ours.get(op.name()), name + ": binary activations of " + op.name());
            }
        }
        INDArray expected = dl4j.get("logits");
        INDArray logits = ours.get("logits");
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(logits).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-4 * scale, name + ": logits differ by " + diff + " (largest " + scale + ")");
        assertEquals(net.output(false, x)[0].argMax(1), engine.output(x).argMax(1), name + ": predictions");
    }

    /** At full size the binary recipes export many times smaller than their float tensors (the sizes of BENCHMARKS). */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({"fmnist-resnet-bnn, 10", "fmnist-vgg-small-w1a1, 20",
        "fmnist-resnet-lmb2, 7", "fmnist-resnet-w4a4-lsq, 5", "fmnist-resnet-fp8, 3"})
    void fullSizeModelsExportSmall(String name, double atLeast) throws Exception {
        Recipe r = Recipes.create(name);
        Exporter.Result e = Exporter.export(r.model(1), r.inputTypes()[0], Map.of());
        long size = Q4jFile.write(tmp.resolve(name + ".q4j"), e.header(), e.blob());
        double ratio = e.float32Bytes() / (double) size;
        assertTrue(ratio >= atLeast, name + ": " + size + " bytes, " + ratio + "x smaller than float");
    }
}
