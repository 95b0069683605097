package org.qat4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.qat4j.framework.infer.PackedBinaryConv;
import org.qat4j.framework.infer.PackedBits;

/**
 * Forward time of one 3x3 convolution at the shapes of the ResNet recipes (batch 64): the packed XNOR/popcount
 * kernel of the inference engine, writing scaled floats (with and without packing its input) against the libnd4j float {@code conv2d} op
 * that DL4J's inference and qat4j's QuantConv2D run. Run with the command in BENCHMARKS.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class PackedConvBenchmark {

    private static final int BATCH = 64;

    /** "32x28" = 32 channels in and out on 28x28. */
    @State(Scope.Benchmark)
    public static class Shape {
        @Param({"32x28", "64x14", "128x7"})
        public String shape;
        int c;
        int hw;
        float[] signs;
        PackedBits packed;
        PackedBinaryConv kernel;
        float[] alpha;
        float[] result;
        INDArray x;
        INDArray w;
        INDArray out;
        int[] args;

        @Setup
        public void setUp() {
            String[] p = shape.split("x");
            c = Integer.parseInt(p[0]);
            hw = Integer.parseInt(p[1]);
            Random r = new Random(1);
            signs = new float[BATCH * c * hw * hw];
            for (int i = 0; i < signs.length; i++) {
                signs[i] = r.nextBoolean() ? 1 : -1;
            }
            float[] weights = new float[c * c * 9];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = r.nextBoolean() ? 1 : -1;
            }
            kernel = new PackedBinaryConv(PackedBinaryConv.packWeights(weights, c, c, 3, 3), c, c, 3, 3, 1, 1);
            packed = PackedBits.pack(signs, null, BATCH, c, hw, hw);
            alpha = new float[c];
            java.util.Arrays.fill(alpha, 0.5f);
            result = new float[BATCH * c * hw * hw];
            x = Nd4j.createFromArray(signs).reshape(BATCH, c, hw, hw);
            w = Nd4j.createFromArray(weights).reshape(c, c, 3, 3);
            out = Nd4j.create(DataType.FLOAT, BATCH, c, hw, hw);
            args = new int[] {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1};
        }
    }

    /** The kernel writing {@code dot * a_o} as NCHW floats, the output the float convolution produces. */
    @Benchmark
    public float[] packedKernel(Shape s) {
        int c = s.c;
        int hw = s.hw;
        float[] out = s.result;
        s.kernel.apply(s.packed, (b, y, dots) -> {
            for (int o = 0; o < c; o++) {
                int at = ((b * c + o) * hw + y) * hw;
                float a = s.alpha[o];
                for (int x = 0; x < hw; x++) {
                    out[at + x] = dots[x * c + o] * a;
                }
            }
        });
        return out;
    }

    /** As {@link #packedKernel}, packing the signs of the float input first. */
    @Benchmark
    public float[] packAndKernel(Shape s) {
        s.packed = PackedBits.pack(s.signs, null, BATCH, s.c, s.hw, s.hw);
        return packedKernel(s);
    }

    @Benchmark
    public INDArray nd4jFloatConv(Shape s) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(s.x, s.w).addIntegerArguments(s.args)
                .addOutputs(s.out).build());
        return s.out;
    }
}
