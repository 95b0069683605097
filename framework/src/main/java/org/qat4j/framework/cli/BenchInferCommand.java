package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.data.EpochBatches;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.data.LabeledImages;
import org.qat4j.framework.infer.Engine;

/**
 * {@code qat4j bench-infer --model MODEL.q4j --checkpoint CKPT}: latency at batch 1 and throughput at batch 64 of the
 * inference engine against DL4J's inference of a checkpoint (the model's own, or its FP32 twin), measured in
 * alternation in one process.
 */
final class BenchInferCommand implements Command {

    @Override
    public String name() {
        return "bench-infer";
    }

    @Override
    public String summary() {
        return "latency (batch 1) and throughput (batch 64) of the inference engine against DL4J on a checkpoint";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("model").hasArg().argName("FILE").required()
                        .desc("a .q4j model written by qat4j export").build())
                .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("PATH").required()
                        .desc("the checkpoint DL4J runs for comparison: the model's own or its FP32 twin").build())
                .addOption(Option.builder().longOpt("repeats").hasArg().argName("N")
                        .desc("timed rounds per measurement (default 7); the median is reported").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        Engine engine = InferCommand.engine(line.getOptionValue("model"));
        CheckpointArgs.Opened opened = CheckpointArgs.open(line.getOptionValue("checkpoint"));
        ComputationGraph net = opened.checkpoint().model();
        int repeats = InferCommand.positive(line, "repeats", 7);
        LabeledImages test = FashionMnist.load(null).test();
        INDArray one = test.batch(new int[] {0}).getFeatures();
        INDArray batch = test.batch(java.util.stream.IntStream.range(0, 64).toArray()).getFeatures();
        Consumer<INDArray> ours = engine::output;
        Consumer<INDArray> dl4j = x -> net.output(false, x);
        double[][] latency = alternate(ours, dl4j, one, 20, repeats);
        double[][] throughput = alternate(ours, dl4j, batch, 3, repeats);
        out.printf(Locale.ROOT, "engine (%s, %d packed convolutions, %s) vs DL4J (%s, %s), %d rounds, medians:%n",
                line.getOptionValue("model"), engine.packedConvolutions(), engine.popcountLoop(),
                opened.recipe().name(),
                opened.checkpoint().path(), repeats);
        out.printf(Locale.ROOT, "  latency, batch 1:     engine %8.2f ms   DL4J %8.2f ms   %.2fx%n",
                median(latency[0]), median(latency[1]), median(latency[1]) / median(latency[0]));
        out.printf(Locale.ROOT, "  throughput, batch 64: engine %8.0f img/s DL4J %8.0f img/s %.2fx%n",
                64e3 / median(throughput[0]), 64e3 / median(throughput[1]), median(throughput[1])
                / median(throughput[0]));
        engine.startProfile();
        time(ours, batch, 3);
        out.println("  engine time per batch of 64 by operation:");
        engine.profile().entrySet().stream().sorted((p, q) -> Long.compare(q.getValue()[0], p.getValue()[0]))
                .forEach(e -> out.printf(Locale.ROOT, "    %-24s %8.2f ms%n", e.getKey(), e.getValue()[0] / 3e6));
        return Qat4j.OK;
    }

    /** Milliseconds per call of each of the two, timed in alternating rounds of {@code calls} calls after warm-up. */
    private static double[][] alternate(Consumer<INDArray> a, Consumer<INDArray> b, INDArray x, int calls,
            int repeats) {
        for (int i = 0; i < 3; i++) {
            a.accept(x);
            b.accept(x);
        }
        double[][] ms = new double[2][repeats];
        for (int r = 0; r < repeats; r++) {
            ms[0][r] = time(a, x, calls);
            ms[1][r] = time(b, x, calls);
        }
        return ms;
    }

    private static double time(Consumer<INDArray> f, INDArray x, int calls) {
        long t = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            f.accept(x);
        }
        return (System.nanoTime() - t) / 1e6 / calls;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
