package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The qat4j command line as a real process: this JVM's java, the test classpath (plus extra entries), no stdin. */
final class Qat4jProcess {

    /** A finished invocation. */
    record Run(int code, String out, String err) {
    }

    private Qat4jProcess() {
    }

    /** A process builder for {@code qat4j args...}; {@code extraClasspath} may be null. */
    static ProcessBuilder builder(String extraClasspath, Path errorLog, String... args) {
        return builder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), List.of(), extraClasspath,
                errorLog, args);
    }

    private static ProcessBuilder builder(String java, List<String> jvmOptions, String extraClasspath, Path errorLog,
            String... args) {
        String cp = System.getProperty("java.class.path")
                + (extraClasspath == null ? "" : File.pathSeparator + extraClasspath);
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Djava.awt.headless=true", "-Dqat4j.errorLog=" + errorLog, "-cp", cp,
                "org.qat4j.framework.cli.Qat4j"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    /** Runs {@code qat4j args...} to completion, stdout and stderr captured through files in {@code dir}. */
    static Run run(Path dir, String extraClasspath, String... args) throws Exception {
        return run(dir, builder(extraClasspath, dir.resolve("errors.log"), args), args);
    }

    /** As {@link #run(Path, String, String...)} with another java and JVM options. */
    static Run runWith(Path dir, String java, List<String> jvmOptions, String... args) throws Exception {
        return run(dir, builder(java, jvmOptions, null, dir.resolve("errors.log"), args), args);
    }

    private static Run run(Path dir, ProcessBuilder builder, String... args) throws Exception {
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "qat4j did not finish: " + String.join(" ", args));
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
