package org.qat4j.framework.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.qat4j.distillation.DistillationOutput;
import org.qat4j.estimators.Quantizer;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.layers.RPReLU;
import org.qat4j.layers.impl.NativeBatchNormLayer;
import org.qat4j.layers.impl.QuantConvolutionLayer;

/**
 * Turns a trained network into the operations and tensors of a .q4j model (docs/q4j-format.md), in the graph's
 * topological order. Each tensor is stored as the values the network computes with at inference: quantized weights
 * through their quantizer, batch norm as the per-channel scale and shift it applies, so reading the model back gives
 * the same numbers as DL4J's inference. Distillation outputs are left out; the classifier's softmax is the output.
 */
public final class Exporter {

    /** The header, the blob, and what the tensors would take as 32-bit floats. */
    public record Result(ObjectNode header, byte[] blob, long float32Bytes) {
    }

    private final ObjectNode header = Q4jFile.json().createObjectNode();
    private final ArrayNode ops = header.putArray("ops");
    private final ObjectNode tensors = Q4jFile.json().createObjectNode();
    private final ByteArrayOutputStream blob = new ByteArrayOutputStream();
    private long float32Bytes;

    private Exporter() {
    }

    /** Exports {@code net}, whose single input has type {@code input}; {@code about} goes into the header. */
    public static Result export(ComputationGraph net, InputType input, Map<String, String> about) throws IOException {
        Exporter e = new Exporter();
        about.forEach(e.header::put);
        e.run(net, input);
        e.header.set("tensors", e.tensors);
        return new Result(e.header, e.blob.toByteArray(), e.float32Bytes);
    }

    private void run(ComputationGraph net, InputType input) throws IOException {
        ComputationGraphConfiguration conf = net.getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException("export takes networks with one input, this one has "
                    + conf.getNetworkInputs().size());
        }
        String in = conf.getNetworkInputs().get(0);
        ObjectNode inputNode = header.putObject("input");
        inputNode.put("name", in);
        ArrayNode shape = inputNode.putArray("shape");
        for (long d : input.getShape(false)) {
            shape.add(d);
        }
        String output = conf.getNetworkOutputs().get(0);
        header.put("output", output);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : net.getVertices()) {
            index.put(v.getVertexName(), v.getVertexIndex());
        }
        for (int i : net.topologicalSortOrder()) {
            String name = net.getVertices()[i].getVertexName();
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue;
            }
            List<String> inputs = conf.getVertexInputs().get(name);
            if (v instanceof LayerVertex lv) {
                if (lv.getPreProcessor() != null) {
                    throw unsupported(name, "a " + lv.getPreProcessor().getClass().getSimpleName() + " before it");
                }
                layer(name, inputs, lv.getLayerConf(), net.getLayer(name));
            } else if (v instanceof ElementWiseVertex ew && ew.getOp() == ElementWiseVertex.Op.Add) {
                op(name, "add", inputs);
            } else {
                throw unsupported(name, v.getClass().getSimpleName());
            }
        }
    }

    private static IllegalArgumentException unsupported(String name, String what) {
        return new IllegalArgumentException("vertex '" + name + "' (" + what + ") cannot be exported; the .q4j format "
                + "covers qat4j's layers and DL4J's pooling, dense, loss and add vertices");
    }

    private ObjectNode op(String name, String type, List<String> inputs) {
        ObjectNode o = ops.addObject();
        o.put("name", name);
        o.put("op", type);
        ArrayNode in = o.putArray("inputs");
        inputs.forEach(in::add);
        return o;
    }

    private void layer(String name, List<String> inputs, NeuralNetConfiguration nnc, Layer impl) throws IOException {
        org.deeplearning4j.nn.conf.layers.Layer c = nnc.getLayer();
        if (c instanceof DistillationOutput) {
            return;
        }
        if (c instanceof QuantConv2D q) {
            if (!q.opName().equals("conv2d")) {
                throw unsupported(name, "a " + q.opName() + " convolution");
            }
            ObjectNode o = op(name, "conv2d", inputs);
            ints(o, "kernel", q.getKernelSize());
            ints(o, "stride", q.getStride());
            ints(o, "padding", q.getPadding());
            ints(o, "dilation", q.getDilation());
            o.put("same", q.getConvolutionMode() == org.deeplearning4j.nn.conf.ConvolutionMode.Same);
            if (q.getInputQuantizer() != null || q.getOutputScaling() != null || !isIdentity(q)) {
                throw unsupported(name, "a convolution with an input quantizer, output scaling or activation");
            }
            o.put("weight", tensor(name + "/weight", ((QuantConvolutionLayer) impl).inferenceWeights()));
            if (q.isHasBias()) {
                o.put("bias", tensor(name + "/bias", impl.getParam(QuantizedLayer.BIAS_KEY)));
            }
        } else if (c instanceof QuantActivation a) {
            ObjectNode o = op(name, "quantize", inputs);
            o.set("quantizer", quantizerJson(a.getQuantizer()));
            o.put("binary", a.getQuantizer().bitsPerValue() == 1);
            ObjectNode params = o.putObject("params");
            for (Map.Entry<String, INDArray> e : impl.paramTable().entrySet()) {
                String key = e.getKey();
                if (key.equals(QuantActivation.THRESHOLD_KEY)) {
                    o.put("shift", tensor(name + "/shift", e.getValue()));
                } else if (key.startsWith(QuantizedLayer.INPUT_QUANT_PREFIX)) {
                    String p = key.substring(QuantizedLayer.INPUT_QUANT_PREFIX.length());
                    p = Character.toLowerCase(p.charAt(0)) + p.substring(1);
                    params.put(p, tensor(name + "/" + p, e.getValue()));
                }
            }
        } else if (c instanceof NativeBatchNorm) {
            INDArray[] affine = ((NativeBatchNormLayer) impl).inferenceAffine();
            ObjectNode o = op(name, "scale_shift", inputs);
            o.put("scale", tensor(name + "/scale", affine[0]));
            o.put("shift", tensor(name + "/shift", affine[1]));
        } else if (c instanceof RPReLU) {
            ObjectNode o = op(name, "rprelu", inputs);
            o.put("shift_in", tensor(name + "/shift_in", impl.getParam(RPReLU.SHIFT_IN_KEY)));
            o.put("slope", tensor(name + "/slope", impl.getParam(RPReLU.SLOPE_KEY)));
            o.put("shift_out", tensor(name + "/shift_out", impl.getParam(RPReLU.SHIFT_OUT_KEY)));
        } else if (c instanceof SubsamplingLayer s) {
            ObjectNode o = op(name, "pool2d", inputs);
            o.put("type", s.getPoolingType().name().toLowerCase(java.util.Locale.ROOT));
            ints(o, "kernel", s.getKernelSize());
            ints(o, "stride", s.getStride());
            ints(o, "padding", s.getPadding());
            ints(o, "dilation", s.getDilation());
            o.put("same", s.getConvolutionMode() == org.deeplearning4j.nn.conf.ConvolutionMode.Same);
            o.put("divide_by_present", s.isAvgPoolIncludePadInDivisor());
        } else if (c instanceof GlobalPoolingLayer g) {
            ObjectNode o = op(name, "global_pool", inputs);
            o.put("type", g.getPoolingType().name().toLowerCase(java.util.Locale.ROOT));
        } else if (c instanceof OutputLayer ol && ol.getActivationFn() instanceof ActivationSoftmax) {
            ObjectNode d = op(name + "/logits", "dense", inputs);
            d.put("weight", tensor(name + "/weight", impl.getParam("W")));
            d.put("bias", tensor(name + "/bias", impl.getParam("b")));
            op(name, "softmax", List.of(name + "/logits"));
        } else if (c instanceof DenseLayer dl && dl.getActivationFn() instanceof ActivationIdentity) {
            ObjectNode o = op(name, "dense", inputs);
            o.put("weight", tensor(name + "/weight", impl.getParam("W")));
            if (dl.hasBias()) {
                o.put("bias", tensor(name + "/bias", impl.getParam("b")));
            }
        } else if (c instanceof LossLayer ll && ll.getActivationFn() instanceof ActivationSoftmax) {
            op(name, "softmax", inputs);
        } else {
            throw unsupported(name, c.getClass().getSimpleName());
        }
    }

    private static boolean isIdentity(QuantConv2D q) {
        return q.getActivationFn() == null || q.getActivationFn() instanceof ActivationIdentity;
    }

    private static ObjectNode quantizerJson(Quantizer q) throws IOException {
        return (ObjectNode) Q4jFile.json().readTree(NeuralNetConfiguration.mapper().writeValueAsString(q));
    }

    private static void ints(ObjectNode o, String key, int[] values) {
        ArrayNode a = o.putArray(key);
        for (int v : values) {
            a.add(v);
        }
    }

    /** Stores a tensor (first dimension = rows) in its smallest exact encoding; returns its id. */
    private String tensor(String id, INDArray a) {
        float[] values = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        long[] shape = a.shape();
        int rows = shape.length == 0 ? 1 : (int) shape[0];
        TensorCodec.Encoded e = TensorCodec.encode(values, rows);
        ObjectNode t = tensors.putObject(id);
        ArrayNode s = t.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        t.put("encoding", e.encoding());
        t.put("bits", e.bits());
        t.put("palette", e.palette());
        t.put("offset", blob.size());
        t.put("length", e.bytes().length);
        blob.writeBytes(e.bytes());
        float32Bytes += 4L * values.length;
        return id;
    }
}
