package org.qat4j.framework.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The run's log: every line goes to the user (stdout) and, through Log4j 2, to {@code DIR/train.log}, together with
 * qat4j's own INFO messages (e.g. which data set is used).
 */
public final class RunLog implements AutoCloseable {

    static final String FILE = "train.log";

    private static final Logger LOG = LogManager.getLogger("org.qat4j.run");

    private final PrintStream out;
    private final FileAppender appender;

    public RunLog(Path runDir, PrintStream out) {
        this.out = out;
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withConfiguration(config)
                .withPattern("%d{ISO8601} %-5level %c{1} - %msg%n").build();
        appender = FileAppender.newBuilder().setName("run-" + UUID.randomUUID()).setConfiguration(config)
                .withFileName(runDir.resolve(FILE).toString()).withAppend(true).setLayout(layout).build();
        appender.start();
        config.addAppender(appender);
        LoggerConfig qat4j = config.getLoggerConfig("org.qat4j");
        if (!qat4j.getName().equals("org.qat4j")) {
            qat4j = new LoggerConfig("org.qat4j", Level.INFO, true);
            config.addLogger("org.qat4j", qat4j);
        }
        qat4j.setLevel(Level.INFO);
        qat4j.addAppender(appender, Level.INFO, null);
        ctx.updateLoggers();
    }

    /** A line for the user and the log file. */
    public void line(String message) {
        out.println(message);
        LOG.info(message);
    }

    /** A line for the log file only (the terminal shows a progress bar instead). */
    public void fileOnly(String message) {
        LOG.info(message);
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        config.getLoggerConfig("org.qat4j").removeAppender(appender.getName());
        appender.stop();
        ctx.updateLoggers();
    }
}
