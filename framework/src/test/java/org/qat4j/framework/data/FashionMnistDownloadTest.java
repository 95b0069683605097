package org.qat4j.framework.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download path against a local HTTP server serving the bundled sample; never the network. */
class FashionMnistDownloadTest {

    private static final String SAMPLE = "/org/qat4j/framework/data/fashion-mnist-sample/";

    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, String> digests = new HashMap<>();

    @BeforeEach
    void serveSample() throws IOException {
        for (String name : FashionMnistDownload.RELEASE_SHA256.keySet()) {
            byte[] bytes;
            try (InputStream in = FashionMnistDownload.class.getResourceAsStream(SAMPLE + name)) {
                bytes = in.readAllBytes();
            }
            served.put(name, bytes);
            Path p = tmp.resolve("ref-" + name);
            Files.write(p, bytes);
            digests.put(name, FashionMnistDownload.contentSha256(p));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = served.get(exchange.getRequestURI().getPath().substring(1));
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private FashionMnistDownload download() {
        return new FashionMnistDownload(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), digests);
    }

    @Test
    void downloadsVerifiesAndTheReaderLoadsTheResult() throws Exception {
        Path dir = tmp.resolve("data");
        List<String> log = new ArrayList<>();
        assertEquals(4, download().into(dir, log::add).size());
        FashionMnist f = FashionMnist.load(dir);
        assertEquals(FashionMnist.bundled().train().size(), f.train().size());
        for (String name : served.keySet()) {
            assertArrayEquals(served.get(name), Files.readAllBytes(dir.resolve(name)));
        }
        int before = requests.get();
        assertTrue(download().into(dir, log::add).isEmpty(), "valid files are kept");
        assertEquals(before, requests.get());
        assertTrue(log.stream().anyMatch(l -> l.endsWith("present and verified")));
    }

    @Test
    void aCorruptFileIsRefusedByNameAndNothingIsLeftBehind() throws Exception {
        byte[] bad = served.get("t10k-labels-idx1-ubyte.gz").clone();
        bad[bad.length / 2] ^= 0x40;
        served.put("t10k-labels-idx1-ubyte.gz", bad);
        Path dir = tmp.resolve("data");
        IOException e = assertThrows(IOException.class, () -> download().into(dir, s -> { }));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("t10k-labels-idx1-ubyte.gz")));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")));
        }
    }

    @Test
    void aMissingFileOnTheServerIsReportedWithItsUrlAndStatus() {
        served.remove("train-labels-idx1-ubyte.gz");
        IOException e = assertThrows(IOException.class, () -> download().into(tmp.resolve("d"), s -> { }));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz") && e.getMessage().contains("HTTP 404"),
                e.getMessage());
    }

    @Test
    void anUnreachableServerLeavesNoDirectoryBehind() {
        FashionMnistDownload download = download();
        server.stop(0);
        Path dir = tmp.resolve("fresh");
        IOException e = assertThrows(IOException.class, () -> download.into(dir, s -> { }));
        assertTrue(e.getMessage().startsWith("cannot download "), e.getMessage());
        assertFalse(Files.exists(dir), "the directory the download created is removed again");
    }

    @Test
    void releaseDigestsMatchDebiansCopyWhenInstalled() throws IOException {
        Path system = Path.of(FashionMnist.SYSTEM_DIR);
        Assumptions.assumeTrue(Files.isRegularFile(system.resolve("t10k-labels-idx1-ubyte.gz")));
        for (Map.Entry<String, String> e : FashionMnistDownload.RELEASE_SHA256.entrySet()) {
            assertEquals(e.getValue(), FashionMnistDownload.contentSha256(system.resolve(e.getKey())), e.getKey());
        }
    }
}
