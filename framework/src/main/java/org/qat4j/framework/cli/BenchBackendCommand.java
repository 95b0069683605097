package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.bench.BackendBenchmark;

/** {@code qat4j bench-backend}: times the ND4J native operations qat4j layers are built on. */
final class BenchBackendCommand implements Command {

    @Override
    public String name() {
        return "bench-backend";
    }

    @Override
    public String summary() {
        return "time the native ND4J ops (conv2d, batchnorm, gemm, elementwise) of the backend in use";
    }

    @Override
    public String details() {
        return System.lineSeparator() + "Build with -Dnd4j.classifier=... to compare native backends (BENCHMARKS.md).";
    }

    @Override
    public Options options() {
        return new Options().addOption(Option.builder().longOpt("repeats").hasArg().argName("N")
                .desc("timed repetitions per operation, the median is reported (default 10)").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) {
        int repeats;
        try {
            repeats = Integer.parseInt(line.getOptionValue("repeats", "10"));
        } catch (NumberFormatException e) {
            throw new UsageException("--repeats must be an integer (got '" + line.getOptionValue("repeats") + "')");
        }
        if (repeats < 1 || repeats > 10_000) {
            throw new UsageException("--repeats must be in 1..10000 (got " + repeats + ")");
        }
        BackendBenchmark bench = new BackendBenchmark(repeats);
        out.println("native library: " + BackendBenchmark.nativeLibrary());
        out.println("threads: " + BackendBenchmark.threads());
        for (Map.Entry<String, Double> e : bench.run().entrySet()) {
            out.printf("%-58s %9.2f ms%n", e.getKey(), e.getValue());
        }
        return Qat4j.OK;
    }
}
