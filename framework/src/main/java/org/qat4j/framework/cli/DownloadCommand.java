package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.data.FashionMnistDownload;

/** {@code qat4j download fashion-mnist --out DIR}: fetches a dataset and verifies it. */
final class DownloadCommand implements Command {

    @Override
    public String name() {
        return "download";
    }

    @Override
    public String summary() {
        return "download a dataset (fashion-mnist) and verify its SHA-256";
    }

    @Override
    public String details() {
        return System.lineSeparator() + "Then train with --data-dir DIR or QAT4J_DATA=DIR. Without internet access, "
                + "Debian's dataset-fashion-mnist package or the bundled sample are used.";
    }

    @Override
    public String positional() {
        return "DATASET";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("out").hasArg().argName("DIR").required()
                        .desc("directory to download into (created if missing)").build())
                .addOption(Option.builder().longOpt("url").hasArg().argName("URL")
                        .desc("base URL of a mirror (default: the dataset's official location)").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        String dataset = line.getArgList().get(0);
        if (!dataset.equals("fashion-mnist")) {
            throw new UsageException("download: unknown dataset '" + dataset + "' (known: fashion-mnist)");
        }
        URI base = FashionMnistDownload.OFFICIAL;
        if (line.hasOption("url")) {
            try {
                base = new URI(line.getOptionValue("url"));
            } catch (URISyntaxException e) {
                throw new UsageException("download: --url is not a URL: " + e.getMessage());
            }
            if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
                throw new UsageException("download: --url must be http or https (got '" + base + "')");
            }
        }
        Path dir = Path.of(line.getOptionValue("out"));
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("download: " + dir + " is not a directory");
        }
        new FashionMnistDownload(base).into(dir, s -> out.println(s));
        out.println("Fashion-MNIST is in " + dir + "; train with --data-dir " + dir + " or QAT4J_DATA=" + dir);
        return Qat4j.OK;
    }
}
