package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.qat4j.framework.train.Trainer;

/** {@code qat4j resume DIR}: continues a run from its newest good checkpoint. */
final class ResumeCommand implements Command {

    @Override
    public String name() {
        return "resume";
    }

    @Override
    public String summary() {
        return "continue a run from its newest good checkpoint; ends as the uninterrupted run would";
    }

    @Override
    public String positional() {
        return "DIR";
    }

    @Override
    public Options options() {
        return RunOptions.add(new Options());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        Path dir = Path.of(line.getArgList().get(0));
        new Trainer(RunOptions.parse(line, dir), out).resume();
        return Qat4j.OK;
    }
}
