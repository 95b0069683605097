package org.qat4j.framework.infer;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.MirroringPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Quantizer;
import org.qat4j.framework.export.Q4jModel;

/**
 * Runs an exported model. A convolution whose input is a binary activation quantizer's output and whose weights
 * are {-a_o, +a_o} per output channel runs as XNOR/popcount over packed bits ({@link PackedBinaryConv}) and scales
 * the exact integer result by a_o; every other operation runs the same ND4J/libnd4j operation, with the same
 * arguments, that the qat4j or DL4J layer runs at inference, so full-precision parts give DL4J's numbers.
 */
public final class Engine {

    /** One operation bound to its tensors. */
    private interface Step {
        INDArray apply(INDArray[] in);
    }

    private record Bound(String name, String type, List<String> inputs, Step step) {
    }

    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyMirroring(MirroringPolicy.FULL).policySpill(SpillPolicy.REALLOCATE).build();

    private final Q4jModel model;
    private final List<Bound> steps = new ArrayList<>();
    private int packedConvolutions;
    private Map<String, long[]> profile;

    public Engine(Q4jModel model) {
        this.model = model;
        Map<String, Boolean> binaryOutput = new HashMap<>();
        for (Q4jModel.Op op : model.ops()) {
            boolean binaryIn = op.inputs().size() == 1 && binaryOutput.getOrDefault(op.inputs().get(0), false);
            int packedBefore = packedConvolutions;
            Step s = bind(op, binaryIn);
            binaryOutput.put(op.name(), op.type().equals("quantize") && op.node().path("binary").asBoolean());
            String type = op.type().equals("conv2d") && packedConvolutions > packedBefore ? "conv2d (packed binary)"
                    : op.type();
            steps.add(new Bound(op.name(), type, op.inputs(), s));
        }
    }

    /** Number of convolutions that run on packed bits. */
    public int packedConvolutions() {
        return packedConvolutions;
    }

    /**
     * The model's output (class probabilities) for a minibatch. Intermediate arrays live in an ND4J workspace that
     * is reused from call to call (allocating outside one costs ND4J many times the arithmetic); only the output
     * leaves it.
     */
    public INDArray output(INDArray x) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, "qat4j-engine")) {
            return run(x).get(model.output()).detach();
        }
    }

    /** Every operation's output for a minibatch, by operation name. */
    public Map<String, INDArray> run(INDArray x) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        values.put(model.input(), x.castTo(DataType.FLOAT));
        for (Bound b : steps) {
            INDArray[] in = new INDArray[b.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = values.get(b.inputs().get(i));
            }
            long t = profile == null ? 0 : System.nanoTime();
            values.put(b.name(), b.step().apply(in));
            if (profile != null) {
                long[] acc = profile.computeIfAbsent(b.type(), k -> new long[2]);
                acc[0] += System.nanoTime() - t;
                acc[1]++;
            }
        }
        return values;
    }

    /** Starts (or restarts) timing every operation type; {@link #profile()} reads the sums. */
    public void startProfile() {
        profile = new LinkedHashMap<>();
    }

    /** Nanoseconds and calls per operation type since {@link #startProfile()}. */
    public Map<String, long[]> profile() {
        return profile == null ? Map.of() : Map.copyOf(profile);
    }

    private Step bind(Q4jModel.Op op, boolean binaryInput) {
        return switch (op.type()) {
            case "conv2d" -> conv(op, binaryInput);
            case "quantize" -> quantize(op);
            case "scale_shift" -> {
                INDArray scale = model.tensor(op.text("scale"));
                INDArray shift = model.tensor(op.text("shift"));
                yield in -> in[0].dup().muli(perChannel(scale, in[0])).addi(perChannel(shift, in[0]));
            }
            case "rprelu" -> {
                INDArray shiftIn = model.tensor(op.text("shift_in"));
                INDArray slopeMinusOne = model.tensor(op.text("slope")).sub(1.0);
                INDArray shiftOut = model.tensor(op.text("shift_out"));
                yield in -> {
                    INDArray out = in[0].dup().addi(perChannel(shiftIn, in[0]));
                    INDArray negative = Transforms.min(out, 0.0, true).muli(perChannel(slopeMinusOne, in[0]));
                    return out.addi(negative).addi(perChannel(shiftOut, in[0]));
                };
            }
            case "add" -> in -> {
                INDArray out = in[0].dup();
                for (int i = 1; i < in.length; i++) {
                    out.addi(in[i]);
                }
                return out;
            };
            case "pool2d" -> pool(op);
            case "global_pool" -> {
                String type = op.text("type");
                yield in -> switch (type) {
                    case "avg" -> in[0].mean(2, 3);
                    case "max" -> in[0].max(2, 3);
                    case "sum" -> in[0].sum(2, 3);
                    default -> throw new IllegalArgumentException("global pooling '" + type + "' is not supported");
                };
            }
            case "dense" -> {
                INDArray w = model.tensor(op.text("weight"));
                INDArray b = op.text("bias") == null ? null : model.tensor(op.text("bias"));
                yield in -> {
                    INDArray z = in[0].mmul(w);
                    return b == null ? z : z.addiRowVector(b);
                };
            }
            case "softmax" -> in -> Nd4j.getExecutioner().exec(new SoftMax(in[0].dup()))[0];
            default -> throw new IllegalArgumentException(model.path() + ": operation " + op.name() + " of unknown type '"
                    + op.type() + "'");
        };
    }

    private static INDArray perChannel(INDArray p, INDArray x) {
        return x.rank() == 4 ? p.reshape(1, p.length(), 1, 1) : p.reshape(1, p.length());
    }

    private Step quantize(Q4jModel.Op op) {
        Quantizer q = model.quantizer(op);
        Map<String, INDArray> params = new LinkedHashMap<>();
        op.node().path("params").fields().forEachRemaining(e -> params.put(e.getKey(), model.tensor(e.getValue()
                .asText())));
        INDArray shift = op.text("shift") == null ? null : model.tensor(op.text("shift"));
        return in -> {
            INDArray x = shift == null ? in[0] : in[0].add(perChannel(shift, in[0]));
            return q.forward(x, params);
        };
    }

    private Step conv(Q4jModel.Op op, boolean binaryInput) {
        int[] k = op.ints("kernel");
        int[] s = op.ints("stride");
        int[] p = op.ints("padding");
        int[] d = op.ints("dilation");
        boolean same = op.node().path("same").asBoolean();
        INDArray w = model.tensor(op.text("weight"));
        INDArray bias = op.text("bias") == null ? null : model.tensor(op.text("bias"));
        float[] scale = binaryInput && bias == null && !same && d[0] == 1 && d[1] == 1 && s[0] == s[1] && p[0] == p[1]
                && k[0] == k[1] ? rowScales(w) : null;
        if (scale != null) {
            packedConvolutions++;
            int o = (int) w.size(0);
            int c = (int) w.size(1);
            PackedBinaryConv kernel = new PackedBinaryConv(PackedBinaryConv.packWeights(w.data().asFloat(), o, c, k[0],
                    k[1]), o, c, k[0], k[1], s[0], p[0]);
            return in -> {
                INDArray x = in[0];
                int n = (int) x.size(0);
                int h = (int) x.size(2);
                int wd = (int) x.size(3);
                INDArray xc = x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
                int[] dots = kernel.apply(PackedBinaryConv.packActivations(xc.data().asNioFloat(), n, c, h, wd), n,
                        h, wd);
                int oh = kernel.outSize(h, k[0]);
                int ow = kernel.outSize(wd, k[1]);
                INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, o, oh, ow);
                FloatBuffer buf = out.data().asNioFloat();
                int plane = oh * ow;
                for (int i = 0; i < dots.length; i++) {
                    buf.put(i, dots[i] * scale[(i / plane) % o]);
                }
                return out;
            };
        }
        int[] args = {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], same ? 1 : 0, 0, 1};
        return in -> {
            INDArray x = in[0];
            INDArray[] inputs = bias == null ? new INDArray[] {x, w} : new INDArray[] {x, w, bias.reshape(w.size(0))};
            DynamicCustomOp c = DynamicCustomOp.builder("conv2d").addInputs(inputs).addIntegerArguments(args).build();
            long[] shape = c.calculateOutputShape().get(0).getShape();
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape);
            c.addOutputArgument(out);
            Nd4j.exec(c);
            return out;
        };
    }

    /** Per output channel the magnitude a_o when every weight of the channel is -a_o or +a_o; else null. */
    private static float[] rowScales(INDArray w) {
        float[] v = w.dup('c').data().asFloat();
        int rows = (int) w.size(0);
        int len = v.length / rows;
        float[] a = new float[rows];
        for (int r = 0; r < rows; r++) {
            a[r] = Math.abs(v[r * len]);
            for (int i = 0; i < len; i++) {
                if (Math.abs(v[r * len + i]) != a[r]) {
                    return null;
                }
            }
        }
        return a;
    }

    private Step pool(Q4jModel.Op op) {
        int[] k = op.ints("kernel");
        int[] s = op.ints("stride");
        int[] p = op.ints("padding");
        int[] d = op.ints("dilation");
        boolean same = op.node().path("same").asBoolean();
        String type = op.text("type");
        String name = switch (type) {
            case "max" -> "maxpool2d";
            case "avg" -> "avgpool2d";
            default -> throw new IllegalArgumentException("pooling '" + type + "' is not supported");
        };
        int extra = type.equals("avg") && op.node().path("divide_by_present").asBoolean() ? 1 : 0;
        int[] args = {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], same ? 1 : 0, extra, 0};
        return in -> {
            DynamicCustomOp c = DynamicCustomOp.builder(name).addInputs(in[0]).addIntegerArguments(args).build();
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, c.calculateOutputShape().get(0).getShape());
            c.addOutputArgument(out);
            Nd4j.exec(c);
            return out;
        };
    }
}
