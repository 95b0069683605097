package org.qat4j.framework.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.sign.ApproxSignEstimator;

/**
 * Median wall time of the native operations qat4j's layers are built on, for the shapes of the CNN recipes
 * (batch 64, FLOAT): what decides which ND4J native classifier to build with.
 */
public final class BackendBenchmark {

    private static final int WARMUP = 3;

    private final int repeats;

    public BackendBenchmark(int repeats) {
        this.repeats = repeats;
    }

    /** The path of the loaded libnd4j JNI library: its folder names the classifier. */
    public static String nativeLibrary() {
        Nd4j.create(1);
        return Loader.getLoadedLibraries().entrySet().stream()
                .filter(e -> e.getKey().contains("nd4jcpu") && !e.getKey().contains("jni"))
                .map(Map.Entry::getValue).findFirst().orElse("unknown");
    }

    public static String threads() {
        return Nd4j.getEnvironment().maxMasterThreads() + " (OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ")";
    }

    public Map<String, Double> run() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("conv2d + conv2d_bp 64->64 3x3 on 28x28, batch 64", conv(64, 28));
        out.put("conv2d + conv2d_bp 128->128 3x3 on 14x14, batch 64", conv(128, 14));
        out.put("batchnorm + batchnorm_bp 64 channels on 28x28, batch 64", batchNorm(64, 28));
        out.put("gemm forward+backward 64x6272 * 6272x512", gemm());
        INDArray big = Nd4j.rand(DataType.FLOAT, 64, 64, 28, 28).subi(0.5);
        out.put("sign (sign(0) = +1), 3.2M floats", time(() -> Nd.sign(big)));
        ApproxSignEstimator approx = new ApproxSignEstimator();
        out.put("ApproxSign backward, 3.2M floats", time(() -> approx.backward(big, big)));
        return out;
    }

    private double conv(int channels, int size) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, channels, size, size);
        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, channels, channels).subi(0.5);
        INDArray y = Nd4j.create(DataType.FLOAT, 64, channels, size, size);
        INDArray gx = x.ulike();
        INDArray gw = w.ulike();
        int[] args = {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0};
        return time(() -> {
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w).addOutputs(y).addIntegerArguments(args).build());
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, y).addOutputs(gx, gw)
                    .addIntegerArguments(args).build());
        });
    }

    private double batchNorm(int channels, int size) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, channels, size, size);
        INDArray gamma = Nd4j.ones(DataType.FLOAT, channels);
        INDArray beta = Nd4j.zeros(DataType.FLOAT, channels);
        INDArray y = x.ulike();
        INDArray gx = x.ulike();
        INDArray gg = gamma.ulike();
        INDArray gb = beta.ulike();
        return time(() -> {
            INDArray mean = x.mean(0, 2, 3);
            INDArray var = x.var(false, 0, 2, 3);
            Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(x, mean, var, gamma, beta).addOutputs(y)
                    .addIntegerArguments(1, 1, 1).addFloatingPointArguments(1e-5).build());
            Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp").addInputs(x, mean, var, gamma, beta, y)
                    .addOutputs(gx, mean.ulike(), var.ulike(), gg, gb)
                    .addIntegerArguments(1, 1, 1).addFloatingPointArguments(1e-5).build());
        });
    }

    private double gemm() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 64, 6272);
        INDArray w = Nd4j.rand(DataType.FLOAT, 6272, 512);
        INDArray g = Nd4j.rand(DataType.FLOAT, 64, 512);
        return time(() -> {
            a.mmul(w);
            a.transpose().mmul(g);
            g.mmul(w.transpose());
        });
    }

    private double time(Runnable r) {
        for (int i = 0; i < WARMUP; i++) {
            r.run();
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[repeats / 2];
    }
}
