package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.qat4j.framework.Version;

/**
 * The {@code qat4j} command line. Every failure the user can cause ends as one line on stderr and exit code 2;
 * anything else as one line and exit code 1, with the stack trace only in the log.
 */
public final class Qat4j {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    /**
     * Stopped by Ctrl-C or SIGTERM after checkpointing. The JVM is shutting down by then and exits with the
     * signal's own status (130 for Ctrl-C, 143 for SIGTERM); this is the value {@link #run} returns.
     */
    public static final int STOPPED = 130;

    private static final Logger LOG = LogManager.getLogger(Qat4j.class);

    private final Map<String, Command> commands = new LinkedHashMap<>();

    public Qat4j() {
        for (Command c : List.of(new TrainCommand(), new ResumeCommand(), new EvalCommand(), new SummaryCommand(),
                new ListCommand(), new ReportCommand(), new DownloadCommand(), new PlotEstimatorCommand(),
                new BenchBackendCommand(), new ExportCommand(), new InferCommand(),
                new BenchInferCommand(), new SampleCommand(), new FidCommand(), new QuantizeCommand())) {
            commands.put(c.name(), c);
        }
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int code = new Qat4j().run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one invocation; returns its exit code. */
    public int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
                if (args.length >= 2 && args[0].equals("help")) {
                    printHelp(command(args[1]), out);
                } else {
                    printUsage(out);
                }
                return args.length == 0 ? USAGE : OK;
            }
            if (args[0].equals("--version")) {
                out.println("qat4j " + Version.current());
                return OK;
            }
            Command c = command(args[0]);
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
                printHelp(c, out);
                return OK;
            }
            CommandLine line = parse(c, rest);
            return c.run(line, out);
        } catch (UsageException | IllegalArgumentException e) {
            err.println("qat4j: " + e.getMessage());
            return USAGE;
        } catch (org.qat4j.framework.train.TrainingStoppedException e) {
            return STOPPED;
        } catch (org.qat4j.framework.train.TrainingFailedException e) {
            err.println("qat4j: " + e.getMessage());
            return FAILURE;
        } catch (java.nio.file.FileSystemException e) {
            LOG.error("qat4j " + String.join(" ", args) + " failed", e);
            err.println("qat4j: cannot use " + e.getFile() + (e.getReason() == null ? "" : ": " + e.getReason())
                    + " (" + e.getClass().getSimpleName() + ")");
            return FAILURE;
        } catch (Exception | OutOfMemoryError e) {
            LOG.error("qat4j " + String.join(" ", args) + " failed", e);
            err.println("qat4j: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (details in " + errorLog() + ")");
            return FAILURE;
        }
    }

    private Command command(String name) {
        Command c = commands.get(name);
        if (c == null) {
            throw new UsageException("unknown command '" + name + "'; commands: " + String.join(", ", commands.keySet())
                    + " (see qat4j --help)");
        }
        return c;
    }

    private static CommandLine parse(Command c, String[] args) {
        try {
            CommandLine line = new DefaultParser().parse(c.options(), args);
            int allowed = c.positional() == null ? 0 : 1;
            if (line.getArgList().size() > allowed) {
                throw new UsageException(c.name() + ": unexpected argument '" + line.getArgList().get(allowed) + "'");
            }
            if (line.getArgList().size() < allowed) {
                throw new UsageException(c.name() + ": missing " + c.positional());
            }
            return line;
        } catch (ParseException e) {
            throw new UsageException(c.name() + ": " + lowerFirst(e.getMessage()));
        }
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private void printUsage(PrintStream out) {
        out.println("qat4j " + Version.current() + " - quantization-aware training on DeepLearning4J");
        out.println();
        out.println("usage: qat4j COMMAND [OPTIONS]");
        out.println();
        out.println("commands:");
        for (Command c : commands.values()) {
            out.printf("  %-16s %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("qat4j COMMAND --help shows the options of a command.");
    }

    private static void printHelp(Command c, PrintStream out) {
        PrintWriter pw = new PrintWriter(out);
        Options options = c.options();
        new HelpFormatter().printHelp(pw, 100, "qat4j " + c.name() + (options.getOptions().isEmpty() ? "" : " [OPTIONS]")
                + (c.positional() == null ? "" : " " + c.positional()),
                c.summary(), options, 2, 2, c.details(), false);
        pw.flush();
    }

    private static String errorLog() {
        return System.getProperty("qat4j.errorLog",
                Path.of(System.getProperty("java.io.tmpdir"), "qat4j-errors.log").toString());
    }
}
