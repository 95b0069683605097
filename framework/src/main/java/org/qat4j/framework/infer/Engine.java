package org.qat4j.framework.infer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
import org.qat4j.estimators.sign.SignEstimator;
import org.qat4j.framework.export.Q4jModel;

/**
 * Runs an exported model. A convolution whose input is a binary activation quantizer's output and whose weights
 * are {-a_o, +a_o} per output channel runs as XNOR/popcount over packed bits ({@link PackedBinaryConv}); the
 * element-wise operations that only it feeds (batch norm's scale and shift, a residual add, RPReLU) are fused into
 * its epilogue, which also packs the signs for the sign quantizers that read the result, so a binary block makes
 * one pass over memory. Sign quantizers produce packed bits, not floats. Batch norm's scale and shift and average
 * pooling run on Java arrays; every other operation runs the same ND4J/libnd4j operation, with the same arguments,
 * that the qat4j or DL4J layer runs at inference. Whatever runs in Java repeats the float arithmetic of the ND4J
 * operation it replaces step by step (each product and sum rounded to float in the same order), so the engine's
 * binary activations equal DL4J's exactly.
 */
public final class Engine {

    private interface Step {
        void run(Value[] values);
    }

    private record Bound(String type, Step step) {
    }

    /** A binary block and the operation types it covers, for the profile. */
    private record Fused(String type, FusedBinaryBlock block) {
    }

    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyMirroring(MirroringPolicy.FULL).policySpill(SpillPolicy.REALLOCATE).build();

    private final Q4jModel model;
    private final List<Q4jModel.Op> ops;
    /** Value index of each name: 0 is the model's input, i + 1 the output of operation i. */
    private final Map<String, Integer> index = new HashMap<>();
    private final List<List<Integer>> consumers = new ArrayList<>();
    private final int outputIndex;
    private final List<Bound> steps = new ArrayList<>();
    private final RowPopcounts popcounts = RowPopcounts.best();
    private int packedConvolutions;
    private Map<String, long[]> profile;

    public Engine(Q4jModel model) {
        this.model = model;
        this.ops = model.ops();
        index.put(model.input(), 0);
        consumers.add(new ArrayList<>());
        for (int i = 0; i < ops.size(); i++) {
            index.put(ops.get(i).name(), i + 1);
            consumers.add(new ArrayList<>());
            for (String in : ops.get(i).inputs()) {
                consumers.get(index.get(in)).add(i + 1);
            }
        }
        outputIndex = index.get(model.output());
        boolean[] covered = new boolean[ops.size() + 1];
        Map<Integer, Bound> fusedAt = new HashMap<>();
        for (int i = 1; i <= ops.size(); i++) {
            Fused fused = covered[i] ? null : fusePackedConv(i, covered);
            if (fused != null) {
                fusedAt.put(fused.block().output(), new Bound(fused.type(), fused.block()::run));
            }
        }
        for (int i = 1; i <= ops.size(); i++) {
            if (fusedAt.containsKey(i)) {
                steps.add(fusedAt.get(i));
            } else if (!covered[i]) {
                Q4jModel.Op op = ops.get(i - 1);
                steps.add(new Bound(op.type(), bind(op, i)));
            }
        }
    }

    /** The popcount loop the packed convolutions run ({@link RowPopcounts#best()}). */
    public String popcountLoop() {
        return popcounts.description();
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
            return execute(x)[outputIndex].nd().detach();
        }
    }

    /**
     * Every materialised operation's output for a minibatch, by operation name, as floats. Operations fused into a
     * packed convolution's epilogue have no output of their own, except the last of each fused chain.
     */
    public Map<String, INDArray> run(INDArray x) {
        Value[] values = execute(x);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(model.input(), values[0].nd());
        for (int i = 0; i < ops.size(); i++) {
            if (values[i + 1] != null) {
                out.put(ops.get(i).name(), values[i + 1].nd());
            }
        }
        return out;
    }

    private Value[] execute(INDArray x) {
        Value[] values = new Value[ops.size() + 1];
        values[0] = Value.of(x.castTo(DataType.FLOAT));
        for (Bound b : steps) {
            long t = profile == null ? 0 : System.nanoTime();
            b.step().run(values);
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

    private Q4jModel.Op op(int value) {
        return ops.get(value - 1);
    }

    private boolean isBinaryQuantize(int value) {
        return value > 0 && op(value).type().equals("quantize") && op(value).node().path("binary").asBoolean();
    }

    /** A binary quantizer whose forward is exactly qat4j's sign (sign(0) = +1) of its shifted input. */
    private boolean isSignQuantize(int value) {
        if (!isBinaryQuantize(value)) {
            return false;
        }
        Quantizer q = model.quantizer(op(value));
        try {
            return q instanceof SignEstimator && q.getClass().getMethod("forward", INDArray.class, Map.class)
                    .getDeclaringClass() == SignEstimator.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private float[] floats(Q4jModel.Op op, String key) {
        return op.text(key) == null ? null : model.tensor(op.text(key)).dup().data().asFloat();
    }

    /**
     * If value {@code v} is a convolution that can run on packed bits, marks it, the element-wise operations that
     * only it feeds and the sign quantizers reading their result as covered and returns the one step that computes
     * them all; else null.
     */
    private Fused fusePackedConv(int v, boolean[] covered) {
        Q4jModel.Op conv = op(v);
        if (!conv.type().equals("conv2d") || conv.inputs().size() != 1 || !isBinaryQuantize(index.get(conv.inputs()
                .get(0)))) {
            return null;
        }
        int[] k = conv.ints("kernel");
        int[] s = conv.ints("stride");
        int[] p = conv.ints("padding");
        int[] d = conv.ints("dilation");
        INDArray w = model.tensor(conv.text("weight"));
        boolean plain = conv.text("bias") == null && !conv.node().path("same").asBoolean() && d[0] == 1 && d[1] == 1
                && s[0] == s[1] && p[0] == p[1] && k[0] == k[1];
        float[] alpha = plain ? rowScales(w) : null;
        if (alpha == null) {
            return null;
        }
        packedConvolutions++;
        int outChannels = (int) w.size(0);
        PackedBinaryConv kernel = new PackedBinaryConv(PackedBinaryConv.packWeights(w.dup('c').data().asFloat(),
                outChannels, (int) w.size(1), k[0], k[1]), outChannels, (int) w.size(1), k[0], k[1], s[0], p[0],
                popcounts);
        covered[v] = true;
        StringBuilder type = new StringBuilder("conv2d (packed binary)");
        List<FusedBinaryBlock.Stage> stages = new ArrayList<>();
        List<float[][]> params = new ArrayList<>();
        int addend = -1;
        int tail = v;
        while (consumers.get(tail).size() == 1 && tail != outputIndex) {
            int next = consumers.get(tail).get(0);
            Q4jModel.Op op = op(next);
            if (op.type().equals("scale_shift")) {
                stages.add(FusedBinaryBlock.Stage.SCALE_SHIFT);
                params.add(new float[][] {floats(op, "scale"), floats(op, "shift")});
            } else if (op.type().equals("rprelu")) {
                float[] slopeMinusOne = floats(op, "slope");
                for (int i = 0; i < slopeMinusOne.length; i++) {
                    slopeMinusOne[i] -= 1f;
                }
                stages.add(FusedBinaryBlock.Stage.RPRELU);
                params.add(new float[][] {floats(op, "shift_in"), slopeMinusOne, floats(op, "shift_out")});
            } else if (op.type().equals("add") && op.inputs().size() == 2 && addend < 0) {
                int other = index.get(op.inputs().get(op.inputs().get(0).equals(op(tail).name()) ? 1 : 0));
                if (other == tail) {
                    break;
                }
                addend = other;
                stages.add(FusedBinaryBlock.Stage.ADD);
                params.add(null);
            } else {
                break;
            }
            type.append(" + ").append(op.type());
            covered[next] = true;
            tail = next;
        }
        List<Integer> packs = new ArrayList<>();
        boolean keepFloats = tail == outputIndex;
        for (int c : consumers.get(tail)) {
            if (isSignQuantize(c)) {
                packs.add(c);
                covered[c] = true;
            } else {
                keepFloats = true;
            }
        }
        if (!packs.isEmpty()) {
            type.append(" + sign");
        }
        float[][] shifts = new float[packs.size()][];
        for (int i = 0; i < shifts.length; i++) {
            float[] shift = floats(op(packs.get(i)), "shift");
            shifts[i] = shift == null ? new float[outChannels] : shift;
        }
        return new Fused(type.toString(), new FusedBinaryBlock(kernel, index.get(conv.inputs().get(0)), alpha,
                stages.toArray(FusedBinaryBlock.Stage[]::new), params.toArray(float[][][]::new), addend, tail, keepFloats,
                packs.stream().mapToInt(Integer::intValue).toArray(), shifts));
    }

    private Step bind(Q4jModel.Op op, int v) {
        int[] in = op.inputs().stream().mapToInt(index::get).toArray();
        if (op.type().equals("scale_shift")) {
            return scaleShift(op, in[0], v);
        }
        if (op.type().equals("pool2d") && JavaAvgPool.handles(op)) {
            JavaAvgPool pool = new JavaAvgPool(op.ints("kernel"), op.ints("stride"));
            return values -> {
                Value out = new Value();
                out.shape = pool.outShape(values[in[0]].shape());
                out.heap = pool.apply(values[in[0]].heap(), values[in[0]].shape());
                values[v] = out;
            };
        }
        Nd step = switch (op.type()) {
            case "conv2d" -> conv(op);
            case "quantize" -> null;
            case "rprelu" -> {
                INDArray shiftIn = model.tensor(op.text("shift_in"));
                INDArray slopeMinusOne = model.tensor(op.text("slope")).sub(1.0);
                INDArray shiftOut = model.tensor(op.text("shift_out"));
                yield x -> {
                    INDArray out = x[0].dup().addi(perChannel(shiftIn, x[0]));
                    INDArray negative = Transforms.min(out, 0.0, true).muli(perChannel(slopeMinusOne, x[0]));
                    return out.addi(negative).addi(perChannel(shiftOut, x[0]));
                };
            }
            case "add" -> x -> {
                INDArray out = x[0].dup();
                for (int i = 1; i < x.length; i++) {
                    out.addi(x[i]);
                }
                return out;
            };
            case "pool2d" -> pool(op);
            case "global_pool" -> {
                String type = op.text("type");
                yield x -> switch (type) {
                    case "avg" -> x[0].mean(2, 3);
                    case "max" -> x[0].max(2, 3);
                    case "sum" -> x[0].sum(2, 3);
                    default -> throw new IllegalArgumentException("global pooling '" + type + "' is not supported");
                };
            }
            case "dense" -> {
                INDArray w = model.tensor(op.text("weight"));
                INDArray b = op.text("bias") == null ? null : model.tensor(op.text("bias"));
                yield x -> {
                    INDArray z = x[0].mmul(w);
                    return b == null ? z : z.addiRowVector(b);
                };
            }
            case "softmax" -> x -> Nd4j.getExecutioner().exec(new SoftMax(x[0].dup()))[0];
            default -> throw new IllegalArgumentException(model.path() + ": operation " + op.name() + " of unknown type '"
                    + op.type() + "'");
        };
        if (step == null) {
            return quantize(op, in[0], v);
        }
        return values -> {
            INDArray[] x = new INDArray[in.length];
            for (int i = 0; i < in.length; i++) {
                x[i] = values[in[i]].nd();
            }
            values[v] = Value.of(step.apply(x));
        };
    }

    /**
     * {@code x * scale_c + shift_c} on the Java copy of the input, each product and sum rounded to float as ND4J's
     * multiply-then-add computes it.
     */
    private Step scaleShift(Q4jModel.Op op, int in, int v) {
        float[] scale = floats(op, "scale");
        float[] shift = floats(op, "shift");
        return values -> {
            float[] x = values[in].heap();
            int[] shape = values[in].shape();
            int c = shape[1];
            int plane = x.length / (shape[0] * c);
            float[] out = new float[x.length];
            IntStream.range(0, shape[0] * c).parallel().forEach(p -> {
                float a = scale[p % c];
                float b = shift[p % c];
                for (int i = p * plane; i < (p + 1) * plane; i++) {
                    float y = x[i] * a;
                    out[i] = y + b;
                }
            });
            Value result = new Value();
            result.heap = out;
            result.shape = shape;
            values[v] = result;
        };
    }

    /** An operation on floats. */
    private interface Nd {
        INDArray apply(INDArray[] in);
    }

    private static INDArray perChannel(INDArray p, INDArray x) {
        return x.rank() == 4 ? p.reshape(1, p.length(), 1, 1) : p.reshape(1, p.length());
    }

    private Step quantize(Q4jModel.Op op, int in, int v) {
        INDArray shift = op.text("shift") == null ? null : model.tensor(op.text("shift"));
        if (isSignQuantize(v)) {
            float[] s = floats(op, "shift");
            return values -> {
                int[] shape = values[in].shape();
                Value out = new Value();
                out.bits = PackedBits.pack(values[in].heap(), s, shape[0], shape[1], shape[2], shape[3]);
                values[v] = out;
            };
        }
        Quantizer q = model.quantizer(op);
        Map<String, INDArray> params = new LinkedHashMap<>();
        op.node().path("params").fields().forEachRemaining(e -> params.put(e.getKey(), model.tensor(e.getValue()
                .asText())));
        return values -> {
            INDArray x = values[in].nd();
            values[v] = Value.of(q.forward(shift == null ? x : x.add(perChannel(shift, x)), params));
        };
    }

    private Nd conv(Q4jModel.Op op) {
        int[] k = op.ints("kernel");
        int[] s = op.ints("stride");
        int[] p = op.ints("padding");
        int[] d = op.ints("dilation");
        boolean same = op.node().path("same").asBoolean();
        INDArray w = model.tensor(op.text("weight"));
        INDArray bias = op.text("bias") == null ? null : model.tensor(op.text("bias"));
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

    private Nd pool(Q4jModel.Op op) {
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
