package org.qat4j.framework.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.qat4j.framework.recipe.Recipes;

/**
 * The checkpoints of a run: {@code DIR/checkpoints/ckpt-<iteration>/} holding {@code model.zip} (DL4J
 * ModelSerializer, with updater state), {@code state.json} and {@code manifest.json} (SHA-256 of both).
 * <ul>
 *   <li>Atomic: written into a temporary directory, every file fsynced, renamed into place, the parent fsynced; a
 *   crash at any moment leaves the previous checkpoints intact.</li>
 *   <li>Verified on load: a checkpoint whose manifest, hashes or JSON do not check out is reported by name and the
 *   next older one is used.</li>
 *   <li>Untrusted: the class names in the model's configuration (Jackson {@code @class} ids) must be on an
 *   allow-list (DL4J's, ND4J's, qat4j's and the recipes' packages) before DL4J reads it.</li>
 * </ul>
 */
public final class CheckpointStore {

    /** The folder of a run directory that holds its checkpoints. */
    public static final String FOLDER = "checkpoints";

    private static final Logger LOG = LogManager.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{12})");
    private static final Pattern CLASS_ID = Pattern.compile("\"@class\"\\s*:\\s*\"([^\"]*)\"");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final List<String> allowedPrefixes;

    /** The name of the trainer's weight average among a checkpoint's {@link Loaded#arrays()}. */
    public static final String EMA = "ema";
    private static final Pattern ARRAY_FILE = Pattern.compile("([a-z][a-z0-9-]*)\\.nd4j");

    /**
     * A checkpoint read back, with the arrays the trainer keeps beside the model (an average of the weights) by
     * name.
     */
    public record Loaded(Path path, ComputationGraph model, CheckpointState state, Map<String, INDArray> arrays) {

        /**
         * The model to evaluate, sample or distil from: with the weight average in place of the trained weights
         * when the run kept one ({@link org.qat4j.framework.recipe.Recipe#emaDecay()}), else the model itself.
         */
        public ComputationGraph inferenceModel() {
            INDArray ema = arrays.get(EMA);
            if (ema != null) {
                if (ema.length() != model.numParams()) {
                    throw new IllegalArgumentException("checkpoint " + path + ": its weight average has "
                            + ema.length() + " values, the model " + model.numParams());
                }
                model.setParams(ema.reshape(1, ema.length()));
            }
            return model;
        }
    }

    public CheckpointStore(Path runDir, List<String> extraAllowedPackages) {
        this.dir = runDir.resolve(FOLDER);
        List<String> allowed = new ArrayList<>(List.of("org.deeplearning4j.", "org.nd4j.", "org.qat4j."));
        extraAllowedPackages.forEach(p -> allowed.add(p.endsWith(".") ? p : p + "."));
        this.allowedPrefixes = List.copyOf(allowed);
    }

    public Path directory() {
        return dir;
    }

    /** Writes a checkpoint atomically; returns its directory. */
    public Path save(ComputationGraph model, CheckpointState state) throws IOException {
        return save(model, state, Map.of());
    }

    /**
     * Writes a checkpoint atomically with further named arrays ({@code NAME.nd4j}, ND4J's binary format, in the
     * manifest like the rest); returns its directory.
     */
    public Path save(ComputationGraph model, CheckpointState state, Map<String, INDArray> arrays) throws IOException {
        Files.createDirectories(dir);
        String name = String.format("ckpt-%012d", state.iteration);
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        try {
            Path model0 = tmp.resolve("model.zip");
            ModelSerializer.writeModel(model, model0.toFile(), true);
            Files.write(tmp.resolve("state.json"), JSON.writeValueAsBytes(state));
            Map<String, String> manifest = new LinkedHashMap<>();
            manifest.put("model.zip", sha256(model0));
            manifest.put("state.json", sha256(tmp.resolve("state.json")));
            for (Map.Entry<String, INDArray> a : arrays.entrySet()) {
                String file = a.getKey() + ".nd4j";
                if (!ARRAY_FILE.matcher(file).matches()) {
                    throw new IllegalArgumentException("not an array name for a checkpoint: " + a.getKey());
                }
                Nd4j.saveBinary(a.getValue(), tmp.resolve(file).toFile());
                manifest.put(file, sha256(tmp.resolve(file)));
            }
            Files.write(tmp.resolve("manifest.json"), JSON.writeValueAsBytes(manifest));
            for (String f : manifest.keySet()) {
                fsync(tmp.resolve(f));
            }
            fsync(tmp.resolve("manifest.json"));
            fsync(tmp);
            Path target = dir.resolve(name);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            fsync(dir);
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    /** Checkpoint directories, newest first. */
    public List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        return out;
    }

    /**
     * The newest checkpoint that verifies, skipping (and reporting) damaged ones; null if there is none. A refused
     * checkpoint ends the search: the older ones of the run would be refused for the same reason.
     */
    public Loaded loadLatest() throws IOException {
        for (Path p : list()) {
            try {
                return load(p);
            } catch (CheckpointRefusedException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                LOG.warn("{}; trying the previous checkpoint", e.getMessage());
            }
        }
        return null;
    }

    /**
     * Opens a checkpoint named by a user: a checkpoint directory, its model.zip, or a run directory (its newest good
     * checkpoint), with the allow-list of the recipes on the classpath.
     */
    public static Loaded open(Path p) throws IOException {
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("no such checkpoint: " + p);
        }
        if (Files.isRegularFile(p)) {
            if (!p.getFileName().toString().equals("model.zip")) {
                throw new IllegalArgumentException("not a checkpoint: " + p
                        + " (give a run directory, a checkpoint directory or its model.zip)");
            }
            p = p.toAbsolutePath().getParent();
        }
        // a checkpoint directory sits in RUN/checkpoints/
        boolean checkpointDir = Files.isRegularFile(p.resolve("model.zip"));
        Path runDir = checkpointDir ? ancestor(p.toAbsolutePath(), 2) : p;
        CheckpointStore store = new CheckpointStore(runDir, Trainer.recipePackages());
        if (checkpointDir) {
            return store.load(p);
        }
        Loaded loaded = store.loadLatest();
        if (loaded == null) {
            throw new IllegalArgumentException("no checkpoint in " + store.directory());
        }
        return loaded;
    }

    private static Path ancestor(Path p, int levels) {
        Path a = p;
        for (int i = 0; i < levels && a.getParent() != null; i++) {
            a = a.getParent();
        }
        return a;
    }

    /** Loads and verifies one checkpoint directory (or the model.zip inside one). */
    public Loaded load(Path checkpoint) throws IOException {
        Path ckpt = Files.isRegularFile(checkpoint) ? checkpoint.toAbsolutePath().getParent() : checkpoint;
        String what = "checkpoint " + ckpt;
        Path modelZip = ckpt.resolve("model.zip");
        CheckpointState state = verifiedState(ckpt);
        if (Recipes.all().stream().noneMatch(r -> r.name().equals(state.recipe))) {
            throw new CheckpointRefusedException(what + " was made by the recipe '" + state.recipe
                    + "', which is not on the classpath (add the jar that provides it, e.g. QAT4J_CLASSPATH=JAR)");
        }
        boolean updaterSaved = checkEntries(what, modelZip);
        ComputationGraph model;
        try {
            model = ModelSerializer.restoreComputationGraph(modelZip.toFile(), true);
        } catch (RuntimeException | IOException e) {
            throw new IllegalArgumentException(what + ": the model cannot be read (" + e.getMessage() + ")");
        }
        // DL4J starts an optimizer whose state is missing from zeros without a word: resume would not be exact
        if (!updaterSaved) {
            INDArray updaterState = model.getUpdater(true).getStateViewArray();
            if (updaterState != null && updaterState.length() > 0) {
                throw new IllegalArgumentException(what + " is incomplete: model.zip holds no optimizer state");
            }
        }
        return new Loaded(ckpt, model, state, arrays(what, ckpt));
    }

    /** The arrays the manifest lists beside the model, already verified against their hashes. */
    private static Map<String, INDArray> arrays(String what, Path ckpt) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Object file : JSON.readValue(ckpt.resolve("manifest.json").toFile(), Map.class).keySet()) {
            Matcher m = ARRAY_FILE.matcher(file.toString());
            if (m.matches()) {
                try {
                    out.put(m.group(1), Nd4j.readBinary(ckpt.resolve(file.toString()).toFile()));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(what + ": " + file + " cannot be read (" + e.getMessage()
                            + ")");
                }
            }
        }
        return out;
    }

    /** The state of the newest checkpoint that verifies, without reading its model; null if there is none. */
    public CheckpointState latestState() throws IOException {
        for (Path p : list()) {
            try {
                return verifiedState(p);
            } catch (IllegalArgumentException e) {
                LOG.warn("{}; trying the previous checkpoint", e.getMessage());
            }
        }
        return null;
    }

    /** A checkpoint's state after checking that its files are complete and match the manifest. */
    private CheckpointState verifiedState(Path ckpt) throws IOException {
        String what = "checkpoint " + ckpt;
        Path modelZip = ckpt.resolve("model.zip");
        Path stateJson = ckpt.resolve("state.json");
        Path manifestJson = ckpt.resolve("manifest.json");
        for (Path f : List.of(modelZip, stateJson, manifestJson)) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(what + " is incomplete: " + f.getFileName() + " missing");
            }
        }
        Map<?, ?> manifest;
        CheckpointState state;
        try {
            manifest = JSON.readValue(manifestJson.toFile(), Map.class);
            if (!sha256(modelZip).equals(manifest.get("model.zip"))
                    || !sha256(stateJson).equals(manifest.get("state.json"))) {
                throw new IllegalArgumentException(what + " is corrupt: a file does not match its SHA-256");
            }
            for (Map.Entry<?, ?> e : manifest.entrySet()) {
                String file = String.valueOf(e.getKey());
                if (file.equals("model.zip") || file.equals("state.json")) {
                    continue;
                }
                if (!ARRAY_FILE.matcher(file).matches()) {
                    throw new IllegalArgumentException(what + " is corrupt: its manifest names '" + file
                            + "', which a checkpoint does not hold");
                }
                Path f = ckpt.resolve(file);
                if (!Files.isRegularFile(f)) {
                    throw new IllegalArgumentException(what + " is incomplete: " + file + " missing");
                }
                if (!sha256(f).equals(e.getValue())) {
                    throw new IllegalArgumentException(what + " is corrupt: a file does not match its SHA-256");
                }
            }
            state = JSON.readValue(stateJson.toFile(), CheckpointState.class);
        } catch (org.nd4j.shade.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is corrupt: unreadable JSON (" + e.getOriginalMessage() + ")");
        }
        String problem = state.problem();
        if (problem != null) {
            throw new IllegalArgumentException(what + " is corrupt: " + problem);
        }
        return state;
    }

    /**
     * Refuses configurations that name classes outside the allow-list, before any of them is instantiated; returns
     * whether the optimizer state was saved.
     */
    private boolean checkEntries(String what, Path modelZip) throws IOException {
        String config = null;
        boolean updaterSaved = false;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(modelZip))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals(ModelSerializer.CONFIGURATION_JSON)) {
                    config = new String(zip.readNBytes(64 << 20), StandardCharsets.UTF_8);
                }
                updaterSaved |= e.getName().equals(ModelSerializer.UPDATER_BIN);
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(what + " is corrupt: model.zip is not a zip file");
        }
        if (config == null) {
            throw new IllegalArgumentException(what + ": model.zip holds no configuration.json");
        }
        Matcher m = CLASS_ID.matcher(config);
        while (m.find()) {
            String cls = m.group(1);
            if (allowedPrefixes.stream().noneMatch(cls::startsWith)) {
                throw new CheckpointRefusedException(what + " refused: its configuration names the class '" + cls
                        + "', which is not on the allow-list (DL4J, ND4J, qat4j and registered recipes)");
            }
        }
        return updaterSaved;
    }

    /** Deletes all but the newest {@code keep} checkpoints and the one named {@code best}. */
    public void prune(int keep, String best) throws IOException {
        List<Path> all = list();
        for (int i = keep; i < all.size(); i++) {
            Path p = all.get(i);
            if (!p.getFileName().toString().equals(best)) {
                deleteTree(p);
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void fsync(Path p) throws IOException {
        try (FileChannel ch = Files.isDirectory(p) ? FileChannel.open(p, StandardOpenOption.READ)
                : FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
                for (Path c : s) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    /** Writes bytes atomically (temporary file, fsync, rename). */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(bytes);
        }
        fsync(tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
