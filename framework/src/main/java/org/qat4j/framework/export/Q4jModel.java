package org.qat4j.framework.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.qat4j.estimators.Quantizer;

/**
 * A .q4j model read back: its operations in order and its tensors decoded to FLOAT arrays. The header is checked
 * for what the operations need (inputs defined before use, tensors inside the blob and of their stated size), and a
 * quantizer configuration may only name qat4j classes: a model file from elsewhere is untrusted input.
 */
public final class Q4jModel {

    /** One operation: its name, type, inputs and its JSON node (attributes and tensor ids). */
    public record Op(String name, String type, List<String> inputs, ObjectNode node) {

        public int[] ints(String key) {
            JsonNode a = node.get(key);
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).asInt();
            }
            return out;
        }

        public String text(String key) {
            return node.path(key).asText(null);
        }
    }

    private final Path path;
    private final ObjectNode header;
    private final List<Op> ops = new ArrayList<>();
    private final Map<String, INDArray> tensors = new LinkedHashMap<>();
    private final Map<String, String> encodings = new LinkedHashMap<>();

    private Q4jModel(Path path, Q4jFile.Contents contents) {
        this.path = path;
        this.header = contents.header();
        try {
            readTensors(contents.blob());
            readOps();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + " is damaged: " + e.getMessage());
        }
    }

    public static Q4jModel read(Path path) throws IOException {
        return new Q4jModel(path, Q4jFile.read(path));
    }

    private void readTensors(ByteBuffer blob) {
        JsonNode t = require(header, "tensors");
        for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            long[] shape = new long[require(n, "shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = n.get("shape").get(i).asLong();
                if (shape[i] < 1) {
                    throw new IllegalArgumentException("tensor " + e.getKey() + " has a dimension " + shape[i]);
                }
                count *= shape[i];
            }
            long offset = require(n, "offset").asLong();
            long length = require(n, "length").asLong();
            if (offset < 0 || length < 0 || offset + length > blob.capacity() || count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " lies outside the blob");
            }
            int rows = shape.length == 0 ? 1 : (int) shape[0];
            String encoding = require(n, "encoding").asText();
            float[] values = TensorCodec.decode(encoding, n.path("bits").asInt(), n.path("palette").asInt(),
                    blob.slice((int) offset, (int) length), (int) count, rows);
            tensors.put(e.getKey(), Nd4j.createFromArray(values).reshape(shape));
            encodings.put(e.getKey(), encoding);
        }
    }

    private void readOps() {
        Set<String> defined = new HashSet<>();
        defined.add(require(require(header, "input"), "name").asText());
        for (JsonNode n : require(header, "ops")) {
            String name = require(n, "name").asText();
            List<String> in = new ArrayList<>();
            for (JsonNode i : require(n, "inputs")) {
                if (!defined.contains(i.asText())) {
                    throw new IllegalArgumentException("operation " + name + " reads '" + i.asText()
                            + "' before it is defined");
                }
                in.add(i.asText());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getValue().isTextual() && f.getValue().asText().startsWith(name + "/")
                        && !tensors.containsKey(f.getValue().asText())) {
                    throw new IllegalArgumentException("operation " + name + " names a missing tensor "
                            + f.getValue().asText());
                }
            }
            ops.add(new Op(name, require(n, "op").asText(), in, (ObjectNode) n));
            defined.add(name);
        }
        if (!defined.contains(output())) {
            throw new IllegalArgumentException("the output '" + output() + "' is not an operation");
        }
    }

    private static JsonNode require(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("'" + field + "' missing");
        }
        return v;
    }

    public Path path() {
        return path;
    }

    public ObjectNode header() {
        return header;
    }

    public List<Op> ops() {
        return List.copyOf(ops);
    }

    public String input() {
        return header.get("input").get("name").asText();
    }

    /** Shape of one input example (without the minibatch dimension). */
    public long[] inputShape() {
        JsonNode s = header.get("input").get("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }

    public String output() {
        return header.get("output").asText();
    }

    public INDArray tensor(String id) {
        INDArray t = tensors.get(id);
        if (t == null) {
            throw new IllegalArgumentException(path + " has no tensor " + id);
        }
        return t;
    }

    /** Tensor ids with their encodings, in file order. */
    public Map<String, String> encodings() {
        return Map.copyOf(encodings);
    }

    /** The quantizer of a {@code quantize} operation; only qat4j's classes may be named. */
    public Quantizer quantizer(Op op) {
        JsonNode q = op.node().get("quantizer");
        for (String cls : q.findValuesAsText("@class")) {
            if (!cls.startsWith("org.qat4j.")) {
                throw new IllegalArgumentException(path + ": operation " + op.name() + " names the class '" + cls
                        + "'; a model's quantizers must be qat4j's");
            }
        }
        try {
            return NeuralNetConfiguration.mapper().readValue(q.toString(), Quantizer.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(path + ": operation " + op.name() + " has an unreadable quantizer ("
                    + e.getMessage() + ")");
        }
    }
}
