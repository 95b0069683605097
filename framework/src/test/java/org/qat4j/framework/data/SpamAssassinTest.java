package org.qat4j.framework.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

class SpamAssassinTest {

    @TempDir
    Path dir;

    private static final String[] HAM = {
        "Re: kernel build", "the build of 2.4.19 failed again on my box, config attached below",
        "exmh sequences", "the new sequences window works fine here, thanks for the patch",
        "Re: razor", "razor-check reports nothing for this message, maybe the server is down",
        "meeting notes", "notes from today's meeting are on the wiki, please review",
    };

    private static final String[] SPAM = {
        "FREE VIAGRA!!!", "<html><body>Buy <b>cheap</b> pills now &amp; save 80%</body></html>",
        "Make money fast", "earn $5000 a week from home, no experience needed, click here",
    };

    private static String message(String subject, String body, int i) {
        return "From sender" + i + "@example.com  Thu Aug 22 12:36:23 2002\n"
                + "Return-Path: <sender" + i + "@example.com>\n"
                + "Subject: " + subject + " #" + i + "\n"
                + (body.startsWith("<html>") ? "Content-Type: text/html\n" : "")
                + "\n" + body + "\nmessage number " + i + "\n";
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    /** Writes hand-written messages into corpus folders; returns the number of messages written. */
    private static int corpus(Path root, String hamFolder, String spamFolder, boolean withBroken) throws Exception {
        int n = 0;
        for (int i = 0; i < 24; i++) {
            boolean spam = i % 3 == 2;
            String[] texts = spam ? SPAM : HAM;
            int k = i % (texts.length / 2);
            byte[] bytes = message(texts[2 * k], texts[2 * k + 1], i).getBytes(StandardCharsets.ISO_8859_1);
            Path folder = Files.createDirectories(root.resolve(spam ? spamFolder : hamFolder));
            Files.write(folder.resolve(String.format("%05d.%s.txt", 100 - i, md5(bytes))), bytes);
            n++;
        }
        if (withBroken) {
            byte[] broken = "Subject: broken\nContent-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n"
                    .getBytes(StandardCharsets.US_ASCII);
            Files.write(root.resolve(spamFolder).resolve("00999." + md5(broken) + ".txt"), broken);
            Files.writeString(root.resolve(spamFolder).resolve("00999." + md5(broken) + ".json"), "{}");
            Files.writeString(root.resolve(hamFolder).resolve("cmds"), "mv 00001.x 00002.y\n");
        }
        return n;
    }

    @Test
    void readsTheCorpusFoldersSkippingUndecodableMessages() throws Exception {
        int written = corpus(dir, "easy-ham-1", "spam-2", true);
        SpamAssassin c = SpamAssassin.load(dir);
        assertEquals("--data-dir " + dir, c.source());
        assertEquals(written, c.train().size() + c.test().size());
        assertEquals(1, c.skipped().size());
        assertTrue(c.skipped().get(0).name().startsWith("spam-2/00999."), c.skipped().toString());
        assertTrue(c.skipped().get(0).reason().contains("without a boundary"), c.skipped().toString());
        List<SpamAssassin.Message> all = new ArrayList<>(c.train());
        all.addAll(c.test());
        assertEquals(written / 3, all.stream().filter(m -> m.label() == SpamAssassin.SPAM).count());
        SpamAssassin.Message spam = all.stream().filter(m -> m.name().startsWith("spam-2/") && m.text().contains(
                "pills")).findFirst().orElseThrow();
        assertTrue(spam.text().matches("FREE VIAGRA!!! #\\d+ Buy cheap pills now & save 80% message number \\d+"),
                spam.text());
        assertTrue(all.stream().allMatch(m -> m.label() == (m.name().startsWith("spam") ? 1 : 0)));
    }

    @Test
    void theSplitAndOrderAreFunctionsOfTheMessageBytesAlone() throws Exception {
        corpus(dir.resolve("a"), "easy-ham-1", "spam-1", false);
        corpus(dir.resolve("b"), "easy_ham_2", "spam_2", false);
        SpamAssassin a = SpamAssassin.fromDirectory(dir.resolve("a"));
        SpamAssassin b = SpamAssassin.fromDirectory(dir.resolve("b"));
        assertEquals(hashes(a.train()), hashes(b.train()));
        assertEquals(hashes(a.test()), hashes(b.test()));
        for (SpamAssassin.Message m : a.test()) {
            assertTrue(SpamAssassin.isTest(HexFormat.of().parseHex(m.sha256())));
        }
        for (SpamAssassin.Message m : a.train()) {
            assertTrue(!SpamAssassin.isTest(HexFormat.of().parseHex(m.sha256())));
        }
        List<String> sorted = hashes(a.train()).stream().sorted().toList();
        assertEquals(sorted, hashes(a.train()), "ordered by hash");
    }

    private static List<String> hashes(List<SpamAssassin.Message> messages) {
        return messages.stream().map(SpamAssassin.Message::sha256).toList();
    }

    @Test
    void anExplicitDirectoryMustHoldTheCorpus() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpamAssassin.load(dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains("directory not found"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SpamAssassin.load(dir));
        assertTrue(e.getMessage().contains("no easy-ham-*, hard-ham-* or spam-* folders"), e.getMessage());
        Files.createDirectories(dir.resolve("spam-assassin/easy-ham-1"));
        e = assertThrows(IllegalArgumentException.class, () -> SpamAssassin.load(dir));
        assertTrue(e.getMessage().contains("no message files") && e.getMessage().contains("easy-ham-1"),
                e.getMessage());
        Files.delete(dir.resolve("spam-assassin/easy-ham-1"));
        corpus(dir.resolve("spam-assassin"), "hard-ham-1", "spam-1", false);
        assertEquals("--data-dir " + dir.resolve("spam-assassin"), SpamAssassin.load(dir).source(),
                "the spam-assassin subfolder");
        corpus(dir.resolve("only-ham"), "easy-ham-1", "easy-ham-2", false);
        e = assertThrows(IllegalArgumentException.class, () -> SpamAssassin.load(dir.resolve("only-ham")));
        assertTrue(e.getMessage().contains("no spam folder"), e.getMessage());
    }

    @Test
    void theBundledSampleHoldsBothClassesInTheCorpusRatio() throws Exception {
        SpamAssassin c = SpamAssassin.bundled();
        assertEquals("the bundled sample", c.source());
        assertEquals(0, c.skipped().size());
        int n = c.train().size() + c.test().size();
        assertEquals(700, n);
        assertTrue(c.test().size() > 0.15 * n && c.test().size() < 0.25 * n, c.test().size() + " test messages");
        Map<String, Long> perFolder = Stream.concat(c.train().stream(), c.test().stream())
                .collect(Collectors.groupingBy(m -> m.name().substring(0, m.name().indexOf('/')), TreeMap::new,
                        Collectors.counting()));
        assertEquals(Map.of("easy-ham-1", 289L, "easy-ham-2", 162L, "hard-ham-1", 29L, "spam-1", 58L, "spam-2", 162L),
                perFolder);
        for (List<SpamAssassin.Message> split : List.of(c.train(), c.test())) {
            long spam = split.stream().filter(m -> m.label() == SpamAssassin.SPAM).count();
            assertTrue(spam > 0.2 * split.size() && spam < 0.45 * split.size(), spam + " of " + split.size());
        }
    }

    @Test
    void bothSplitsEncodeWithOneTokenizerAndAFingerprintOfMessagesAndVocabulary() throws Exception {
        SpamAssassin c = SpamAssassin.bundled();
        WordPieceTokenizer t = c.tokenizer(1024);
        assertEquals(1024, t.size());
        SpamAssassin.Sequences s = c.encode(t, 128);
        assertEquals(c.train().size(), s.train().size());
        assertEquals(c.test().size(), s.test().size());
        assertEquals(List.of("ham", "spam"), s.train().classNames());
        assertEquals("messages", s.train().unit());
        for (int i = 0; i < s.train().size(); i++) {
            assertEquals(WordPieceTokenizer.CLS, s.train().tokens()[i][0]);
            assertEquals(c.train().get(i).label(), s.train().labels()[i]);
            assertTrue(s.train().lengths()[i] >= 2);
        }
        DataSet b = s.test().batch(new int[] {3, 1, 4});
        assertEquals(3, b.numExamples());
        assertEquals(128, b.getFeatures().size(1));
        for (int r = 0; r < 3; r++) {
            int row = new int[] {3, 1, 4}[r];
            assertEquals(s.test().lengths()[row], b.getFeaturesMaskArray().getRow(r).sumNumber().intValue());
            assertEquals(1.0, b.getLabels().getDouble(r, s.test().labels()[row]));
        }
        assertEquals(s.train().fingerprint(), SpamAssassin.bundled().encode(t, 128).train().fingerprint());
        assertNotEquals(s.train().fingerprint(), s.test().fingerprint());
        assertNotEquals(s.train().fingerprint(), c.encode(t, 64).train().fingerprint());
        assertNotEquals(s.train().fingerprint(), c.encode(c.tokenizer(512), 128).train().fingerprint());
    }

    /** The full corpus, where the fetch script installed it; prints the statistics the recipes are sized by. */
    @Test
    void fullCorpusStatistics() throws IOException {
        Path full = SpamAssassin.defaultDirectory();
        assumeTrue(Files.isDirectory(full.resolve("spam-2")), "no full corpus in " + full);
        SpamAssassin c = SpamAssassin.fromDirectory(full);
        int n = c.train().size() + c.test().size();
        assertEquals(6046, n + c.skipped().size());
        assertTrue(c.skipped().size() <= 10, c.skipped().toString());
        Map<String, int[]> perFolder = new TreeMap<>();
        c.train().forEach(m -> perFolder.computeIfAbsent(folder(m), k -> new int[2])[0]++);
        c.test().forEach(m -> perFolder.computeIfAbsent(folder(m), k -> new int[2])[1]++);
        perFolder.forEach((f, v) -> System.out.printf("%-10s train %4d  test %4d%n", f, v[0], v[1]));
        System.out.println("skipped: " + c.skipped());
        long spam = Stream.concat(c.train().stream(), c.test().stream()).filter(m -> m.label() == 1).count();
        System.out.printf("train %d, test %d (%.1f%%), spam %.1f%%%n", c.train().size(), c.test().size(),
                100.0 * c.test().size() / n, 100.0 * spam / n);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long wall = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        WordPieceTokenizer t = c.tokenizer(WordPieceTokenizer.DEFAULT_VOCAB_SIZE);
        double wallS = (System.nanoTime() - wall) / 1e9;
        System.out.printf("tokenizer: %d tokens in %.1f s (%.1f s CPU), fingerprint %s%n", t.size(), wallS,
                (threads.getCurrentThreadCpuTime() - cpu) / 1e9, t.fingerprint());
        assertTrue(wallS < 60, "tokenizer training took " + wallS + " s");
        for (List<SpamAssassin.Message> split : List.of(c.train(), c.test())) {
            int[] lengths = split.stream().mapToInt(m -> t.tokenize(m.text()).size() + 1).sorted().toArray();
            long unk = split.stream().flatMap(m -> t.tokenize(m.text()).stream()).filter("[UNK]"::equals).count();
            long pieces = Arrays.stream(lengths).asLongStream().sum() - lengths.length;
            System.out.printf("tokens with [CLS]: mean %.0f, p10 %d, p50 %d, p90 %d, p99 %d, max %d; %.0f%% over 128;"
                    + " [UNK] %.2f%% of pieces%n", Arrays.stream(lengths).average().orElse(0),
                    lengths[lengths.length / 10], lengths[lengths.length / 2], lengths[lengths.length * 9 / 10],
                    lengths[lengths.length * 99 / 100], lengths[lengths.length - 1],
                    100.0 * Arrays.stream(lengths).filter(l -> l > 128).count() / lengths.length,
                    100.0 * unk / pieces);
        }
    }

    private static String folder(SpamAssassin.Message m) {
        return m.name().substring(0, m.name().indexOf('/'));
    }
}
