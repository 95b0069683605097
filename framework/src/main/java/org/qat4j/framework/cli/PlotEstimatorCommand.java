package org.qat4j.framework.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.qat4j.framework.plot.EstimatorPlot;

/** {@code qat4j plot-estimator}: forward and backward curves of a quantizer, one curve per compared setting. */
final class PlotEstimatorCommand implements Command {

    @Override
    public String name() {
        return "plot-estimator";
    }

    @Override
    public String summary() {
        return "draw the forward and backward curves of an estimator or quantizer to a PNG";
    }

    @Override
    public String details() {
        return String.join(System.lineSeparator(), "",
                "A comma-separated value compares settings in one figure, e.g.",
                "  qat4j plot-estimator --estimator reste --set o=1,2,3 --out reste.png",
                "Names and parameters: qat4j list");
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("estimator").hasArg().argName("NAME").required()
                        .desc("estimator or quantizer name (see qat4j list)").build())
                .addOption(Option.builder().longOpt("set").hasArg().argName("KEY=VALUE")
                        .desc("a parameter; repeatable; a comma list VALUE1,VALUE2 draws one curve per value").build())
                .addOption(Option.builder().longOpt("out").hasArg().argName("FILE.png").required()
                        .desc("PNG file to write").build())
                .addOption(Option.builder().longOpt("range").hasArg().argName("LO,HI")
                        .desc("x range (default -2,2)").build());
    }

    @Override
    public int run(CommandLine line, PrintStream out) throws Exception {
        String name = line.getOptionValue("estimator");
        Path file = Path.of(line.getOptionValue("out"));
        if (!file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            throw new UsageException("--out must name a .png file (got '" + file + "')");
        }
        if (Files.isDirectory(file)) {
            throw new UsageException("--out is a directory: " + file);
        }
        double[] range = range(line.getOptionValue("range", "-2,2"));
        List<Map<String, String>> variants = variants(KeyValues.parse(line.getOptionValues("set")));
        EstimatorPlot plot = new EstimatorPlot(name, variants, range[0], range[1]);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("--out: directory does not exist: " + parent);
        }
        plot.write(file);
        out.println("wrote " + file);
        return Qat4j.OK;
    }

    private static double[] range(String text) {
        String[] parts = text.split(",");
        try {
            if (parts.length == 2) {
                double lo = Double.parseDouble(parts[0].trim());
                double hi = Double.parseDouble(parts[1].trim());
                if (lo < hi && Double.isFinite(lo) && Double.isFinite(hi)) {
                    return new double[] {lo, hi};
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below with the expected form
        }
        throw new UsageException("--range expects LO,HI with LO < HI, finite (got '" + text + "')");
    }

    /** Expands the one comma-listed key, if any, into one settings map per value. */
    static List<Map<String, String>> variants(Map<String, String> settings) {
        String listed = null;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getValue().contains(",")) {
                if (listed != null) {
                    throw new UsageException("only one --set may list several values (got " + listed + " and "
                            + e.getKey() + ")");
                }
                listed = e.getKey();
            }
        }
        List<Map<String, String>> out = new ArrayList<>();
        if (listed == null) {
            out.add(settings);
            return out;
        }
        for (String v : settings.get(listed).split(",")) {
            if (v.isBlank()) {
                throw new UsageException("--set " + listed + " has an empty value in '" + settings.get(listed) + "'");
            }
            Map<String, String> one = new LinkedHashMap<>(settings);
            one.put(listed, v.trim());
            out.add(one);
        }
        return out;
    }
}
