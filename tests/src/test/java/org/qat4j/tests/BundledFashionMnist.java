package org.qat4j.tests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.qat4j.framework.data.FashionMnist;

/** The Fashion-MNIST sample bundled with the framework, written out as a data directory for processes to read. */
final class BundledFashionMnist {

    private BundledFashionMnist() {
    }

    /** Writes the sample's four IDX files (gzipped) into {@code dir}, created if missing; returns {@code dir}. */
    static Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            try (InputStream in = FashionMnist.class.getResourceAsStream(
                    "/org/qat4j/framework/data/fashion-mnist-sample/" + f + ".gz")) {
                Files.copy(in, dir.resolve(f + ".gz"));
            }
        }
        return dir;
    }
}
