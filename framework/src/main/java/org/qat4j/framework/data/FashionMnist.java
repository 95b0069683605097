package org.qat4j.framework.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Fashion-MNIST from the first place that has it: an explicit directory, {@code $QAT4J_DATA},
 * {@code /usr/share/datasets/fashion-mnist} (Debian's {@code dataset-fashion-mnist}), or the stratified sample
 * bundled with qat4j (3,000 training and 1,000 test images). Files are the original IDX files, gzipped or not.
 */
public final class FashionMnist {

    public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String ENV = "QAT4J_DATA";
    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    private static final Logger LOG = LogManager.getLogger(FashionMnist.class);
    private static final String SAMPLE = "/org/qat4j/framework/data/fashion-mnist-sample/";

    private final String source;
    private final LabeledImages train;
    private final LabeledImages test;

    private FashionMnist(String source, LabeledImages train, LabeledImages test) {
        this.source = source;
        this.train = train;
        this.test = test;
    }

    public String source() {
        return source;
    }

    public LabeledImages train() {
        return train;
    }

    public LabeledImages test() {
        return test;
    }

    /**
     * Loads from the first location in the search order. An explicit directory must hold the data; the
     * environment variable, when set, too.
     */
    public static FashionMnist load(Path explicitDir) throws IOException {
        if (explicitDir != null) {
            return fromDirectory(explicitDir, "--data-dir " + explicitDir);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return fromDirectory(Path.of(env), "$" + ENV + "=" + env);
        }
        Path system = Path.of(SYSTEM_DIR);
        if (Files.isDirectory(system) && find(system, "train-images-idx3-ubyte") != null) {
            return fromDirectory(system, system + " (Debian dataset-fashion-mnist)");
        }
        return bundled();
    }

    /** The bundled stratified sample. */
    public static FashionMnist bundled() throws IOException {
        FashionMnist f = new FashionMnist("the bundled sample", read("train", FashionMnist::resource),
                read("t10k", FashionMnist::resource));
        LOG.info("data: Fashion-MNIST from {} ({} train / {} test images)", f.source, f.train.size(), f.test.size());
        return f;
    }

    private static FashionMnist fromDirectory(Path dir, String what) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException((Files.exists(dir) ? "Fashion-MNIST: " + dir + " is not a directory"
                    : "Fashion-MNIST directory not found: " + dir) + " (from " + what + ")");
        }
        Opener open = name -> {
            Path p = find(dir, name);
            if (p == null) {
                throw new IllegalArgumentException("Fashion-MNIST file missing: " + dir.resolve(name)
                        + "[.gz] (from " + what + ")");
            }
            return Files.newInputStream(p);
        };
        FashionMnist f = new FashionMnist(what, read("train", open), read("t10k", open));
        LOG.info("data: Fashion-MNIST from {} ({} train / {} test images)", what, f.train.size(), f.test.size());
        return f;
    }

    private static Path find(Path dir, String name) {
        for (String candidate : List.of(name, name + ".gz")) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static InputStream resource(String name) {
        InputStream in = FashionMnist.class.getResourceAsStream(SAMPLE + name + ".gz");
        if (in == null) {
            throw new IllegalStateException("bundled Fashion-MNIST sample missing from the classpath: " + name);
        }
        return in;
    }

    private interface Opener {
        InputStream open(String name) throws IOException;
    }

    private static LabeledImages read(String split, Opener open) throws IOException {
        List<IdxFile> files = new ArrayList<>();
        for (String[] f : new String[][] {{split + "-images-idx3-ubyte", "3"}, {split + "-labels-idx1-ubyte", "1"}}) {
            try (InputStream in = open.open(f[0])) {
                files.add(IdxFile.read(f[0], in, Integer.parseInt(f[1])));
            }
        }
        LabeledImages images = LabeledImages.of(files.get(0), files.get(1), List.of(CLASSES));
        if (images.height() != 28 || images.width() != 28) {
            throw new IllegalArgumentException(files.get(0).name() + ": Fashion-MNIST images are 28x28, found "
                    + images.height() + "x" + images.width());
        }
        return images;
    }
}
