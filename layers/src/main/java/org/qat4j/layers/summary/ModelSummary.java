package org.qat4j.layers.summary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.qat4j.estimators.Quantizer;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.QuantDense;
import org.qat4j.layers.QuantDepthwiseConv2D;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.layers.attention.AttentionContext;
import org.qat4j.layers.attention.AttentionFunction;
import org.qat4j.layers.attention.AttentionScores;
import org.qat4j.layers.attention.MultiHeadVertex;
import org.qat4j.layers.params.ParamEntry;
import org.qat4j.layers.params.ParamLayout;

/**
 * A larq-style summary of a network: per layer the input precision, output shape, parameters by bit width,
 * memory, and multiply-accumulates by precision; totals with the float-32 equivalent size, the compression ratio
 * and the share of binary MACs.
 * <pre>
 *   memory        = sum over parameters of (count x bits)     (quantized weights at their quantizer's bits)
 *   MAC precision = binary if weights and inputs are both 1-bit, low-bit if both are at most 8 bits, else float
 *   input bits    = the layer's input quantizer's, or those of a preceding activation-quantization layer
 * </pre>
 * A dense layer on a sequence counts its MACs at every position (per position when the length is unknown).
 * Embedding lookups count none.
 * A quantizer's own bookkeeping state (initialised flags, partial binarization's masks) is not counted: it is
 * training state, and the quantizer's bits per value already account for what storage needs.
 */
public final class ModelSummary {

    /** One row of the summary. */
    public record Row(String name, String type, String inputPrecision, String outputShape,
            Map<Double, Long> paramsByBits, double memoryBits, long binaryMacs, long lowBitMacs, long floatMacs) {

        public long params() {
            return paramsByBits.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final List<Row> rows;

    private ModelSummary(List<Row> rows) {
        this.rows = rows;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Summary of a MultiLayerNetwork for the given input type. */
    public static ModelSummary of(MultiLayerNetwork net, InputType input) {
        List<InputType> types = net.getLayerWiseConfigurations().getLayerActivationTypes(input);
        List<Row> rows = new ArrayList<>();
        InputType in = input;
        double upstream = 32;
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer conf = net.getLayer(i).conf().getLayer();
            rows.add(row(conf.getLayerName() == null ? "layer" + i : conf.getLayerName(), conf, in, types.get(i),
                    net.getLayer(i).numParams(), upstream));
            in = types.get(i);
            upstream = outputBits(conf);
        }
        return new ModelSummary(rows);
    }

    /** Summary of a ComputationGraph for the given input types, in topological order. */
    public static ModelSummary of(ComputationGraph graph, InputType... inputs) {
        Map<String, InputType> types = graph.getConfiguration().getLayerActivationTypes(inputs);
        List<Row> rows = new ArrayList<>();
        for (int idx : graph.topologicalSortOrder()) {
            GraphVertex v = graph.getVertices()[idx];
            if (!v.hasLayer()) {
                if (graph.getConfiguration().getVertices().get(v.getVertexName()) instanceof MultiHeadVertex a) {
                    rows.add(attentionRow(v.getVertexName(), a, types.get(v.getVertexName()),
                            types.get(graph.getConfiguration().getVertexInputs().get(v.getVertexName()).get(1))));
                }
                continue;
            }
            String[] ins = graph.getConfiguration().getVertexInputs().get(v.getVertexName()).toArray(new String[0]);
            InputType in = ins.length == 0 ? null : inputType(graph, types, ins[0], inputs);
            Layer conf = v.getLayer().conf().getLayer();
            double upstream = ins.length == 0 || !graph.getVertex(ins[0]).hasLayer() ? 32
                    : outputBits(graph.getVertex(ins[0]).getLayer().conf().getLayer());
            rows.add(row(v.getVertexName(), conf, in, types.get(v.getVertexName()), v.getLayer().numParams(),
                    upstream));
        }
        return new ModelSummary(rows);
    }

    private static InputType inputType(ComputationGraph g, Map<String, InputType> types, String name,
            InputType[] inputs) {
        int netInput = g.getConfiguration().getNetworkInputs().indexOf(name);
        return netInput >= 0 ? inputs[netInput] : types.get(name);
    }

    /** Bits of the values a layer emits: an activation quantizer's, else full precision. */
    private static double outputBits(Layer conf) {
        return conf instanceof QuantActivation a && a.getQuantizer() != null ? a.getQuantizer().bitsPerValue() : 32;
    }

    /** {@code upstreamBits}: precision of the incoming values when the layer does not quantize them itself. */
    private static Row row(String name, Layer conf, InputType in, InputType out, long numParams,
            double upstreamBits) {
        Map<Double, Long> byBits = new TreeMap<>();
        double memory = 0;
        Quantizer wq = null;
        Quantizer aq = null;
        if (conf instanceof QuantizedLayer q) {
            wq = q.getWeightQuantizer();
            aq = q.getInputQuantizer();
        }
        if (conf instanceof ParamLayout layout) {
            for (ParamEntry e : layout.paramLayout()) {
                boolean quantizerState = e.role() == ParamEntry.Role.STATE && (e.key().startsWith(
                        QuantizedLayer.WEIGHT_QUANT_PREFIX) || e.key().startsWith(QuantizedLayer.INPUT_QUANT_PREFIX));
                if (quantizerState) {
                    continue;
                }
                double bits = e.role() == ParamEntry.Role.WEIGHT && wq != null ? wq.bitsPerValue() : 32;
                byBits.merge(bits, e.length(), Long::sum);
                memory += bits * e.length();
            }
        } else if (numParams > 0) {
            byBits.put(32.0, numParams);
            memory = 32.0 * numParams;
        }
        long macs = macs(conf, out);
        double weightBits = wq == null ? 32 : wq.bitsPerValue();
        double inputBits = aq == null ? upstreamBits : Math.min(aq.bitsPerValue(), upstreamBits);
        double worst = Math.max(weightBits, inputBits);
        return new Row(name, conf.getClass().getSimpleName(), precision(inputBits), shape(out), byBits, memory,
                worst <= 1 ? macs : 0, worst > 1 && worst <= 8 ? macs : 0, worst > 8 ? macs : 0);
    }

    /**
     * An attention product, {@code L^2 D} multiply-accumulates per example either way ({@code q^T k} per head for
     * the scores, {@code P v} for the context), as precise as its least precise operand: the quantized q and k, or
     * the probabilities (binary for Bi-Attention and softmax-aware attention) and the quantized v.
     */
    private static Row attentionRow(String name, MultiHeadVertex conf, InputType out, InputType second) {
        long macs = 0;
        double bits = 32;
        if (conf instanceof AttentionScores s && second instanceof InputType.InputTypeRecurrent k) {
            macs = k.getTimeSeriesLength() * k.getTimeSeriesLength() * k.getSize();
            bits = Math.max(bitsOf(s.getQueryQuantizer()), bitsOf(s.getKeyQuantizer()));
        } else if (conf instanceof AttentionContext c && second instanceof InputType.InputTypeRecurrent v) {
            macs = v.getTimeSeriesLength() * v.getTimeSeriesLength() * v.getSize();
            double probabilities = c.getFunction() == AttentionFunction.SOFTMAX ? 32 : 1;
            bits = Math.max(probabilities, bitsOf(c.getValueQuantizer()));
        }
        return new Row(name, conf.getClass().getSimpleName(), precision(bits), shape(out), new TreeMap<>(), 0,
                bits <= 1 ? macs : 0, bits > 1 && bits <= 8 ? macs : 0, bits > 8 ? macs : 0);
    }

    private static double bitsOf(Quantizer q) {
        return q == null ? 32 : q.bitsPerValue();
    }

    /** Multiply-accumulates per example of the layers that have them. */
    static long macs(Layer conf, InputType out) {
        if (conf instanceof QuantDepthwiseConv2D d) {
            long[] o = d.outputSize();
            return o[0] * o[1] * d.getNOut() * d.getKernelSize()[0] * d.getKernelSize()[1];
        }
        if (conf instanceof QuantConv2D c) {
            long[] o = c.outputSize();
            return o[0] * o[1] * c.getNOut() * c.getNIn() * c.getKernelSize()[0] * c.getKernelSize()[1];
        }
        if (conf instanceof ConvolutionLayer c && out instanceof InputType.InputTypeConvolutional o) {
            return o.getHeight() * o.getWidth() * c.getNOut() * c.getNIn() * c.getKernelSize()[0]
                    * c.getKernelSize()[1];
        }
        if (conf instanceof QuantDense d) {
            long positions = out instanceof InputType.InputTypeRecurrent r && r.getTimeSeriesLength() > 0
                    ? r.getTimeSeriesLength() : 1;
            return d.getNIn() * d.getNOut() * positions;
        }
        if (conf instanceof DenseLayer || conf instanceof BaseOutputLayer) {
            FeedForwardLayer f = (FeedForwardLayer) conf;
            return f.getNIn() * f.getNOut();
        }
        return 0;
    }

    static String precision(double bits) {
        if (bits >= 32) {
            return "fp32";
        }
        return (bits == Math.rint(bits) ? String.valueOf((long) bits) : String.format(Locale.ROOT, "%.2f", bits))
                + "-bit";
    }

    private static String shape(InputType t) {
        if (t == null) {
            return "?";
        }
        long[] s = t.getShape(false);
        StringBuilder b = new StringBuilder("(-1");
        for (long d : s) {
            b.append(", ").append(d);
        }
        return b.append(')').toString();
    }

    public long totalParams() {
        return rows.stream().mapToLong(Row::params).sum();
    }

    /** Memory of the parameters at their quantized bit widths, in bits. */
    public double memoryBits() {
        return rows.stream().mapToDouble(Row::memoryBits).sum();
    }

    /** The same parameters all in float 32, in bits. */
    public double float32Bits() {
        return 32.0 * totalParams();
    }

    public double compressionRatio() {
        return memoryBits() == 0 ? 1 : float32Bits() / memoryBits();
    }

    public long binaryMacs() {
        return rows.stream().mapToLong(Row::binaryMacs).sum();
    }

    public long lowBitMacs() {
        return rows.stream().mapToLong(Row::lowBitMacs).sum();
    }

    public long floatMacs() {
        return rows.stream().mapToLong(Row::floatMacs).sum();
    }

    /** Fraction of all MACs that are binary. */
    public double binaryMacShare() {
        long all = binaryMacs() + lowBitMacs() + floatMacs();
        return all == 0 ? 0 : binaryMacs() / (double) all;
    }

    /** The summary as a text table. */
    @Override
    public String toString() {
        TreeMap<Double, Boolean> widths = new TreeMap<>();
        rows.forEach(r -> r.paramsByBits().keySet().forEach(b -> widths.put(b, true)));
        List<String> head = new ArrayList<>(List.of("Layer (type)", "Input prec.", "Outputs"));
        widths.keySet().forEach(b -> head.add("# " + precision(b)));
        head.addAll(List.of("Memory (KiB)", "Binary MACs", "Low-bit MACs", "Float MACs"));
        List<List<String>> table = new ArrayList<>();
        table.add(head);
        for (Row r : rows) {
            List<String> line = new ArrayList<>(List.of(r.name() + " (" + r.type() + ")", r.inputPrecision(),
                    r.outputShape()));
            widths.keySet().forEach(b -> line.add(count(r.paramsByBits().getOrDefault(b, 0L))));
            line.addAll(List.of(kib(r.memoryBits()), count(r.binaryMacs()), count(r.lowBitMacs()),
                    count(r.floatMacs())));
            table.add(line);
        }
        List<String> total = new ArrayList<>(List.of("Total", "", ""));
        widths.keySet().forEach(b -> total.add(count(rows.stream()
                .mapToLong(r -> r.paramsByBits().getOrDefault(b, 0L)).sum())));
        total.addAll(List.of(kib(memoryBits()), count(binaryMacs()), count(lowBitMacs()), count(floatMacs())));
        table.add(total);
        StringBuilder out = new StringBuilder(render(table));
        out.append(String.format(Locale.ROOT, "Total params: %,d%n", totalParams()));
        out.append(String.format(Locale.ROOT, "Model size: %s KiB%n", kib(memoryBits())));
        out.append(String.format(Locale.ROOT, "Float-32 equivalent: %s KiB%n", kib(float32Bits())));
        out.append(String.format(Locale.ROOT, "Compression ratio: %.2fx%n", compressionRatio()));
        out.append(String.format(Locale.ROOT, "Binary MACs: %.2f%% of %,d%n", 100 * binaryMacShare(),
                binaryMacs() + lowBitMacs() + floatMacs()));
        return out.toString();
    }

    private static String count(long v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%,d", v);
    }

    private static String kib(double bits) {
        return String.format(Locale.ROOT, "%.2f", bits / 8 / 1024);
    }

    private static String render(List<List<String>> table) {
        int cols = table.get(0).size();
        int[] width = new int[cols];
        for (List<String> line : table) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], line.get(c).length());
            }
        }
        StringBuilder b = new StringBuilder();
        String rule = "-".repeat(java.util.Arrays.stream(width).sum() + 3 * (cols - 1)) + System.lineSeparator();
        for (int i = 0; i < table.size(); i++) {
            if (i == 1 || i == table.size() - 1) {
                b.append(rule);
            }
            List<String> line = table.get(i);
            for (int c = 0; c < cols; c++) {
                String cell = line.get(c);
                b.append(c == 0 ? String.format("%-" + width[c] + "s", cell) : String.format("%" + width[c] + "s", cell));
                b.append(c == cols - 1 ? System.lineSeparator() : "   ");
            }
        }
        return b.append(rule).toString();
    }
}
