package org.qat4j.framework.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Fetches the four gzipped IDX files of Fashion-MNIST from the dataset's official location (or a mirror) into a
 * directory that {@link FashionMnist#load} reads. Each file is checked against the SHA-256 of its decompressed IDX
 * content, which does not depend on how a mirror compressed it (Debian's {@code dataset-fashion-mnist} recompresses
 * and verifies too). A file is written under a temporary name, checked, fsynced and renamed into place, so an
 * interrupted or corrupt download never leaves a file the reader would take for data; files already present and
 * valid are kept. Never runs in the tests against the network.
 */
public final class FashionMnistDownload {

    /** Where the dataset's authors publish it. */
    public static final URI OFFICIAL = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /** SHA-256 of the decompressed files of the release (checked against Debian's package, which carries it too). */
    public static final Map<String, String> RELEASE_SHA256 = releaseDigests();

    private final URI base;
    private final Map<String, String> sha256;
    private final HttpClient client;

    public FashionMnistDownload(URI base) {
        this(base, RELEASE_SHA256);
    }

    /** Against another table of decompressed-content digests, keyed by file name (for mirrors of other builds). */
    public FashionMnistDownload(URI base, Map<String, String> sha256) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.sha256 = Map.copyOf(sha256);
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    private static Map<String, String> releaseDigests() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888");
        m.put("train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9");
        m.put("t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b");
        m.put("t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");
        return Map.copyOf(m);
    }

    /**
     * Makes {@code dir} hold every file, verified; returns the names it had to fetch. A directory this call had to
     * create is removed again when the download fails before anything was stored in it.
     */
    public List<String> into(Path dir, Consumer<String> progress) throws IOException, InterruptedException {
        boolean created = !Files.exists(dir);
        Files.createDirectories(dir);
        try {
            return fetchMissing(dir, progress);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (created) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
            throw e;
        }
    }

    private List<String> fetchMissing(Path dir, Consumer<String> progress) throws IOException, InterruptedException {
        List<String> fetched = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(sha256).entrySet()) {
            Path target = dir.resolve(e.getKey());
            if (Files.isRegularFile(target) && e.getValue().equals(contentSha256(target))) {
                progress.accept(e.getKey() + ": present and verified");
                continue;
            }
            Path tmp = dir.resolve("." + e.getKey() + ".part");
            try {
                fetch(base.resolve(e.getKey()), tmp);
                String actual = contentSha256(tmp);
                if (actual == null) {
                    throw new IOException(base.resolve(e.getKey()) + ": not a valid gzip file (corrupt download)");
                }
                if (!e.getValue().equals(actual)) {
                    throw new IOException(base.resolve(e.getKey()) + ": SHA-256 of the content is " + actual
                            + ", expected " + e.getValue() + " (corrupt download or not this release)");
                }
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                fetched.add(e.getKey());
                progress.accept(e.getKey() + ": downloaded and verified");
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return fetched;
    }

    private void fetch(URI uri, Path to) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build();
        HttpResponse<Path> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofFile(to));
        } catch (IOException e) {
            throw new IOException("cannot download " + uri + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("cannot download " + uri + ": HTTP " + response.statusCode());
        }
    }

    /** SHA-256 of the decompressed content of a gzipped file, or null when it is not valid gzip. */
    static String contentSha256(Path gz) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(new GZIPInputStream(Files.newInputStream(gz)), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            return null;
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
