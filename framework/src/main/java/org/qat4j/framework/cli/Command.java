package org.qat4j.framework.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One sub-command of {@code qat4j}. */
public interface Command {

    String name();

    /** One line for the command list. */
    String summary();

    /** Extra lines for {@code qat4j NAME --help}: examples, notes. */
    default String details() {
        return "";
    }

    Options options();

    /** The name of the one positional argument the command takes (e.g. {@code DIR}), or null for none. */
    default String positional() {
        return null;
    }

    /** Runs the command; returns the exit code. Bad input throws {@link UsageException} or IllegalArgumentException. */
    int run(CommandLine line, PrintStream out) throws Exception;
}
