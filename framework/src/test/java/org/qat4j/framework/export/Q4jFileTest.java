package org.qat4j.framework.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.qat4j.framework.infer.Engine;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;
import org.qat4j.layers.impl.QuantConvolutionLayer;

/** What a .q4j file holds, and how a foreign, truncated or damaged one is refused. */
class Q4jFileTest {

    @TempDir
    static Path shared;
    static ComputationGraph net;
    static Exporter.Result exported;

    @TempDir
    Path tmp;

    @BeforeAll
    static void export() throws Exception {
        Recipe r = Recipes.create("tiny");
        r.hyperparameters().set("epochs", "1");
        Path run = shared.resolve("run");
        new Trainer(new Trainer.Options(run, null, 0, 1, 100, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).start(r);
        net = CheckpointStore.open(run).model();
        exported = Exporter.export(net, r.inputTypes()[0], Map.of("recipe", "tiny"));
    }

    private Path written(String name) throws Exception {
        Path f = tmp.resolve(name);
        Q4jFile.write(f, exported.header(), exported.blob());
        return f;
    }

    @Test
    void tensorsAreTheValuesTheNetworkComputesWith() throws Exception {
        Q4jModel m = Q4jModel.read(written("tiny.q4j"));
        assertEquals(((QuantConvolutionLayer) net.getLayer("c2")).inferenceWeights(), m.tensor("c2/weight"));
        assertEquals(net.getLayer("c1").getParam("W"), m.tensor("c1/weight"), "a full-precision convolution");
        assertEquals("sign1", m.encodings().get("c2/weight"), "per-channel scaled signs take a bit each");
        assertEquals("in", m.input());
        assertArrayEquals(new long[] {1, 28, 28}, m.inputShape());
        assertEquals("out", m.output());
    }

    private static void assertRefused(Path f, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Q4jModel.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
    }

    @Test
    void damagedTruncatedAndForeignFilesAreRefusedInOneSentence() throws Exception {
        Path good = written("good.q4j");
        byte[] bytes = Files.readAllBytes(good);
        Path flipped = tmp.resolve("flipped.q4j");
        byte[] f = bytes.clone();
        f[f.length - 100] ^= 0x10;
        Files.write(flipped, f);
        assertRefused(flipped, "is damaged: its SHA-256 checksum does not match");
        Path cut = tmp.resolve("cut.q4j");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(cut, "is truncated");
        Path longer = tmp.resolve("longer.q4j");
        Files.write(longer, Arrays.copyOf(bytes, bytes.length + 3));
        assertRefused(longer, "bytes after its checksum");
        Path zip = tmp.resolve("model.zip");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
        assertRefused(zip, "is not a qat4j model");
        Path newer = tmp.resolve("newer.q4j");
        byte[] v = bytes.clone();
        v[8] = 2;
        Files.write(newer, v);
        assertRefused(newer, "of format 2; this qat4j reads format 1");
        assertRefused(tmp.resolve("missing.q4j"), "no such model file");
    }

    @Test
    void aWellFormedFileWithAnInconsistentHeaderIsRefused() throws Exception {
        ObjectNode h = exported.header().deepCopy();
        ((ObjectNode) h.get("ops").get(1)).putArray("inputs").add("nowhere");
        Path f = tmp.resolve("inputs.q4j");
        Q4jFile.write(f, h, exported.blob());
        assertRefused(f, "reads 'nowhere' before it is defined");
        ObjectNode t = exported.header().deepCopy();
        ((ObjectNode) t.get("tensors").get("c2/weight")).put("length", exported.blob().length * 2);
        Path g = tmp.resolve("tensor.q4j");
        Q4jFile.write(g, t, exported.blob());
        assertRefused(g, "lies outside the blob");
    }

    @Test
    void aQuantizerNamingAForeignClassIsRefused() throws Exception {
        ObjectNode h = exported.header().deepCopy();
        for (var op : h.get("ops")) {
            if (op.get("op").asText().equals("quantize")) {
                ((ObjectNode) op.get("quantizer")).put("@class", "java.lang.ProcessBuilder");
            }
        }
        Path f = tmp.resolve("foreign.q4j");
        Q4jFile.write(f, h, exported.blob());
        Q4jModel m = Q4jModel.read(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Engine(m));
        assertTrue(e.getMessage().contains("names the class 'java.lang.ProcessBuilder'"), e.getMessage());
    }

    @Test
    void anExportNeverReplacesAFile() throws Exception {
        Path f = tmp.resolve("taken.q4j");
        Files.writeString(f, "previous result");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Q4jFile.write(f, exported.header(), exported.blob()));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
        assertEquals("previous result", Files.readString(f));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }
}
