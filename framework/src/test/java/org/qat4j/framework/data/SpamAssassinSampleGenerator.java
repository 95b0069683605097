package org.qat4j.framework.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the SpamAssassin sample bundled with qat4j ({@code spam-assassin-sample/messages.gz}) from the full corpus,
 * as {@code scripts/fetch-spam-assassin.sh} installs it: from each corpus folder, in proportion to its size,
 * the messages with the smallest SHA-256 among those of at most {@value #MAX_BYTES} bytes that {@link MailText}
 * decodes (a pseudo-random, reproducible choice that keeps the corpus' ham/spam and easy/hard ratios), in corpus
 * order. Only JDK classes are needed:
 *
 * <pre>
 * mvn -o -q test-compile -pl framework
 * java -cp framework/target/classes:framework/target/test-classes \
 *     org.qat4j.framework.data.SpamAssassinSampleGenerator [CORPUS_DIR [OUT_DIR]]
 * </pre>
 *
 * CORPUS_DIR defaults to {@code ~/.qat4j/data/spam-assassin}, OUT_DIR to the resource folder of the sample.
 */
public final class SpamAssassinSampleGenerator {

    static final int MESSAGES = 700;
    static final int MAX_BYTES = 12_000;
    static final Map<String, Integer> FOLDERS = folders();

    private SpamAssassinSampleGenerator() {
    }

    private static Map<String, Integer> folders() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("easy-ham-1", 2500);
        m.put("easy-ham-2", 1400);
        m.put("hard-ham-1", 250);
        m.put("spam-1", 500);
        m.put("spam-2", 1396);
        return m;
    }

    public static void main(String[] args) throws IOException {
        Path corpus = args.length > 0 ? Path.of(args[0])
                : Path.of(System.getProperty("user.home"), ".qat4j", "data", "spam-assassin");
        Path out = args.length > 1 ? Path.of(args[1])
                : Path.of("framework/src/main/resources/org/qat4j/framework/data/spam-assassin-sample");
        int total = FOLDERS.values().stream().mapToInt(Integer::intValue).sum();
        List<MessageArchive.Entry> sample = new ArrayList<>();
        for (Map.Entry<String, Integer> folder : FOLDERS.entrySet()) {
            int want = Math.round((float) MESSAGES * folder.getValue() / total);
            List<MessageArchive.Entry> chosen = choose(corpus.resolve(folder.getKey()), folder.getValue(), want);
            sample.addAll(chosen);
            System.out.printf("%-10s %4d messages, %7d bytes%n", folder.getKey(), chosen.size(),
                    chosen.stream().mapToInt(e -> e.bytes().length).sum());
        }
        Files.createDirectories(out);
        Path file = out.resolve("messages.gz");
        try (OutputStream o = Files.newOutputStream(file)) {
            MessageArchive.write(sample, o);
        }
        System.out.printf("%d messages, %d bytes in %s%n", sample.size(), Files.size(file), file);
    }

    private static List<MessageArchive.Entry> choose(Path folder, int expected, int want) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        if (files.size() != expected) {
            throw new IllegalArgumentException(folder + ": " + files.size() + " messages, the corpus has " + expected);
        }
        TreeMap<String, MessageArchive.Entry> byHash = new TreeMap<>();
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            if (bytes.length <= MAX_BYTES && decodes(bytes)) {
                byHash.put(sha256(bytes), new MessageArchive.Entry(folder.getFileName() + "/" + f.getFileName(),
                        bytes));
            }
        }
        if (byHash.size() < want) {
            throw new IllegalArgumentException(folder + ": only " + byHash.size() + " decodable messages of at most "
                    + MAX_BYTES + " bytes, " + want + " wanted");
        }
        List<MessageArchive.Entry> chosen = new ArrayList<>(new ArrayList<>(byHash.values()).subList(0, want));
        chosen.sort((a, b) -> a.name().compareTo(b.name()));
        return chosen;
    }

    private static boolean decodes(byte[] bytes) {
        try {
            MailText.of(bytes);
            return true;
        } catch (MailText.Undecodable e) {
            return false;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
