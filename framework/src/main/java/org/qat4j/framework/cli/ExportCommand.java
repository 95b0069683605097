package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.Version;
import org.qat4j.framework.export.Exporter;
import org.qat4j.framework.export.Q4jFile;
import org.qat4j.framework.export.Q4jModel;
import org.qat4j.framework.train.ParamsHash;

/** {@code qat4j export --checkpoint FILE --out MODEL.q4j}: a compact model file of a checkpoint. */
final class ExportCommand implements Command {

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write a checkpoint as a compact .q4j model (binary weights 1 bit each, k-bit grids in k bits)";
    }

    @Override
    public String details() {
        return String.join(System.lineSeparator(), "", "Example: qat4j export --checkpoint runs/bnn --out bnn.q4j",
                "The format: docs/q4j-format.md");
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("PATH").required()
                        .desc("checkpoint directory, its model.zip, or a run directory (newest checkpoint)").build())
                .addOption(Option.builder().longOpt("out").hasArg().argName("FILE").required()
                        .desc("the model file to write (never replaces an existing file)").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        Path target = Path.of(line.getOptionValue("out"));
        if (Files.exists(target)) {
            throw new UsageException(target + " exists; choose another --out (an export never replaces a file)");
        }
        CheckpointArgs.Opened opened = CheckpointArgs.open(line.getOptionValue("checkpoint"));
        Map<String, String> about = new LinkedHashMap<>();
        about.put("format", "qat4j model");
        about.put("recipe", opened.recipe().name());
        about.put("qat4j", Version.current());
        about.put("checkpoint", opened.checkpoint().path().toAbsolutePath().toString());
        about.put("checkpointParamsSha256", ParamsHash.of(opened.checkpoint().model()));
        Exporter.Result r = Exporter.export(opened.checkpoint().model(), opened.recipe().inputTypes()[0], about);
        long size = Q4jFile.write(target, r.header(), r.blob());
        Q4jModel back = Q4jModel.read(target);
        long zip = Files.size(opened.checkpoint().path().resolve("model.zip"));
        out.printf(Locale.ROOT, "wrote %s (%s, %d operations): %.1f KiB%n", target, opened.recipe().name(),
                back.ops().size(), size / 1024.0);
        out.printf(Locale.ROOT, "  the checkpoint's model.zip: %.1f KiB (%.1fx larger)%n", zip / 1024.0,
                zip / (double) size);
        out.printf(Locale.ROOT, "  its tensors as 32-bit floats: %.1f KiB (%.1fx larger)%n", r.float32Bytes() / 1024.0,
                r.float32Bytes() / (double) size);
        Map<String, Integer> counts = new TreeMap<>();
        back.encodings().values().forEach(e -> counts.merge(e, 1, Integer::sum));
        out.println("  tensors by encoding: " + counts);
        return Qat4j.OK;
    }
}
