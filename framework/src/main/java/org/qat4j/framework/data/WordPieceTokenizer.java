package org.qat4j.framework.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * A WordPiece subword tokenizer (BERT's): text is lower-cased, accents removed (NFD, combining marks dropped) and cut
 * into words at whitespace and around every character that is not a letter or digit (punctuation, symbols and CJK
 * ideographs become one-character words); each word is then split greedily into the longest vocabulary pieces from
 * its start, pieces after the first carrying the prefix {@code ##}. A word longer than {@value #MAX_WORD_CHARS}
 * characters, or one with a piece missing from the vocabulary, becomes {@code [UNK]}.
 *
 * <p>The vocabulary is learnt as Hugging Face's WordPiece trainer learns it, by byte-pair merging: it starts from the
 * special tokens ({@code [PAD]} = 0, {@code [UNK]} = 1, {@code [CLS]} = 2, {@code [SEP]} = 3) and the most frequent
 * characters, as many as cover {@value #CHARACTER_COVERAGE} of the characters of the training words (SentencePiece's
 * rule, which keeps a rare script from filling the vocabulary) within half the vocabulary, each letter and digit also
 * in its {@code ##} form; then it repeatedly adds the concatenation of the most frequent adjacent pair of pieces in
 * the training words, counted with the words' frequencies, until the vocabulary has the requested size or no pair
 * occurs twice. Ties go to the pair whose pieces come first in string order, so the vocabulary is a function of the
 * multiset of training words alone, independent of the order of the texts. Pair counts are updated incrementally, so
 * training takes seconds on a corpus of thousands of messages.
 *
 * <p>{@link #toText()} is the vocabulary, one token per line after the line {@value #HEADER}, in id order;
 * {@link #parse} reads it back and {@link #fingerprint()} is its SHA-256, so a run can store the tokenizer and
 * evaluation and resume encode with the same vocabulary.
 */
public final class WordPieceTokenizer {

    public static final int DEFAULT_VOCAB_SIZE = 4096;
    public static final int PAD = 0;
    public static final int UNK = 1;
    public static final int CLS = 2;
    public static final int SEP = 3;
    public static final List<String> SPECIAL_TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]");
    public static final String CONTINUATION = "##";
    public static final int MAX_WORD_CHARS = 100;
    public static final String HEADER = "qat4j-wordpiece 1";
    public static final double CHARACTER_COVERAGE = 0.9995;

    private static final int MIN_VOCAB_SIZE = 16;
    private static final int SYMBOL_BITS = 20;
    private static final int MAX_VOCAB_SIZE = 1 << SYMBOL_BITS;

    private final List<String> vocabulary;
    private final Map<String, Integer> ids;
    private final int longestPiece;
    private final String text;
    private final String fingerprint;

    private WordPieceTokenizer(List<String> vocabulary) {
        this.vocabulary = List.copyOf(vocabulary);
        this.ids = new HashMap<>();
        int longest = 1;
        for (int i = 0; i < this.vocabulary.size(); i++) {
            String t = this.vocabulary.get(i);
            ids.put(t, i);
            String bare = t.startsWith(CONTINUATION) ? t.substring(CONTINUATION.length()) : t;
            longest = Math.max(longest, bare.codePointCount(0, bare.length()));
        }
        this.longestPiece = longest;
        this.text = HEADER + "\n" + String.join("\n", this.vocabulary) + "\n";
        this.fingerprint = sha256(text);
    }

    /** Learns a vocabulary of at most {@code vocabSize} tokens (special tokens included) from the texts. */
    public static WordPieceTokenizer train(Collection<String> texts, int vocabSize) {
        if (vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabulary size " + vocabSize + " is outside " + MIN_VOCAB_SIZE + ".."
                    + MAX_VOCAB_SIZE);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String t : texts) {
            for (String w : words(t)) {
                if (w.codePointCount(0, w.length()) <= MAX_WORD_CHARS) {
                    counts.merge(w, 1, Integer::sum);
                }
            }
        }
        List<String> vocabulary = new ArrayList<>(SPECIAL_TOKENS);
        Set<Integer> alphabet = alphabet(counts, vocabSize / 2, vocabulary);
        new Merges(counts, alphabet, vocabulary).run(vocabSize);
        return new WordPieceTokenizer(vocabulary);
    }

    /**
     * The most frequent characters up to the coverage of the class comment, one vocabulary entry each ({@code c})
     * and a second ({@code ##c}) for letters and digits, within {@code budget} entries; appends them to the
     * vocabulary and returns their code points.
     */
    private static Set<Integer> alphabet(Map<String, Integer> counts, int budget, List<String> vocabulary) {
        Map<Integer, Long> chars = new HashMap<>();
        counts.forEach((w, n) -> w.codePoints().forEach(cp -> chars.merge(cp, (long) n, Long::sum)));
        List<Map.Entry<Integer, Long>> byCount = new ArrayList<>(chars.entrySet());
        byCount.sort(Map.Entry.<Integer, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        long total = chars.values().stream().mapToLong(Long::longValue).sum();
        Set<Integer> alphabet = new HashSet<>();
        long covered = 0;
        int used = 0;
        for (Map.Entry<Integer, Long> e : byCount) {
            int cp = e.getKey();
            int cost = isWordChar(cp) ? 2 : 1;
            if (covered >= CHARACTER_COVERAGE * total || used + cost > budget) {
                break;
            }
            covered += e.getValue();
            used += cost;
            alphabet.add(cp);
            String c = new String(Character.toChars(cp));
            vocabulary.add(c);
            if (isWordChar(cp)) {
                vocabulary.add(CONTINUATION + c);
            }
        }
        return alphabet;
    }

    /** Byte-pair merging over the training words, with pair counts kept up to date per merge. */
    private static final class Merges {

        private final List<String> symbols = new ArrayList<>();
        private final Map<String, Integer> symbolIds = new HashMap<>();
        private final List<String> vocabulary;
        private final int[][] words;
        private final int[] weights;
        private final Map<Long, Long> pairCounts = new HashMap<>();
        private final Map<Long, List<Integer>> pairWords = new HashMap<>();
        private final PriorityQueue<long[]> queue;

        Merges(Map<String, Integer> counts, Set<Integer> alphabet, List<String> vocabulary) {
            this.vocabulary = vocabulary;
            for (String v : vocabulary.subList(SPECIAL_TOKENS.size(), vocabulary.size())) {
                symbol(v);
            }
            // Sorted, so that word indices (and with them every tie) do not depend on hash order.
            TreeMap<String, Integer> usable = new TreeMap<>();
            counts.forEach((w, n) -> {
                if (w.codePoints().allMatch(alphabet::contains)) {
                    usable.put(w, n);
                }
            });
            words = new int[usable.size()][];
            weights = new int[usable.size()];
            int i = 0;
            for (Map.Entry<String, Integer> e : usable.entrySet()) {
                int[] cps = e.getKey().codePoints().toArray();
                int[] w = new int[cps.length];
                for (int k = 0; k < cps.length; k++) {
                    String c = new String(Character.toChars(cps[k]));
                    w[k] = symbolIds.get(k == 0 ? c : CONTINUATION + c);
                }
                words[i] = w;
                weights[i] = e.getValue();
                i++;
            }
            queue = new PriorityQueue<>(Comparator.<long[]>comparingLong(q -> -q[0])
                    .thenComparing(q -> symbols.get(left(q[1])))
                    .thenComparing(q -> symbols.get(right(q[1]))));
            for (int w = 0; w < words.length; w++) {
                for (int k = 0; k + 1 < words[w].length; k++) {
                    long p = pair(words[w][k], words[w][k + 1]);
                    pairCounts.merge(p, (long) weights[w], Long::sum);
                    pairWords.computeIfAbsent(p, x -> new ArrayList<>()).add(w);
                }
            }
            pairCounts.forEach((p, n) -> queue.add(new long[] {n, p}));
        }

        private int symbol(String s) {
            Integer id = symbolIds.get(s);
            if (id == null) {
                id = symbols.size();
                symbols.add(s);
                symbolIds.put(s, id);
            }
            return id;
        }

        /**
         * Symbol ids are below 2^20 (the largest vocabulary), so a pair packs into 40 bits; packed this way, rather
         * than in two 32-bit halves, a pair's {@code Long.hashCode} does not collide with its mirror's.
         */
        private static long pair(int a, int b) {
            return (long) a << SYMBOL_BITS | b;
        }

        private static int left(long pair) {
            return (int) (pair >>> SYMBOL_BITS);
        }

        private static int right(long pair) {
            return (int) (pair & (1L << SYMBOL_BITS) - 1);
        }

        void run(int vocabSize) {
            int[] visited = new int[words.length];
            int step = 0;
            while (vocabulary.size() < vocabSize) {
                long best = best();
                if (best < 0) {
                    return;
                }
                step++;
                int a = left(best);
                int b = right(best);
                String merged = symbols.get(a) + symbols.get(b).substring(CONTINUATION.length());
                if (!symbolIds.containsKey(merged)) {
                    vocabulary.add(merged);
                }
                int m = symbol(merged);
                Set<Long> touched = new HashSet<>();
                for (int w : pairWords.remove(best)) {
                    if (visited[w] != step) {
                        visited[w] = step;
                        merge(w, a, b, m, touched);
                    }
                }
                pairCounts.remove(best);
                for (long p : touched) {
                    Long n = pairCounts.get(p);
                    if (n != null) {
                        queue.add(new long[] {n, p});
                    }
                }
            }
        }

        /** The most frequent pair occurring at least twice, or -1. */
        private long best() {
            while (!queue.isEmpty()) {
                long[] top = queue.poll();
                Long current = pairCounts.get(top[1]);
                if (current == null || current > top[0]) {
                    // Stale: the pair is gone, or a fresher entry with its higher count is queued.
                    continue;
                }
                if (current < top[0]) {
                    queue.add(new long[] {current, top[1]});
                    continue;
                }
                return current >= 2 ? top[1] : -1;
            }
            return -1;
        }

        private void merge(int w, int a, int b, int m, Set<Long> touched) {
            int[] old = words[w];
            int[] merged = new int[old.length];
            int n = 0;
            boolean changed = false;
            for (int k = 0; k < old.length; k++) {
                if (k + 1 < old.length && old[k] == a && old[k + 1] == b) {
                    merged[n++] = m;
                    k++;
                    changed = true;
                } else {
                    merged[n++] = old[k];
                }
            }
            if (!changed) {
                return;
            }
            count(old, -weights[w], touched, w, -1);
            words[w] = Arrays.copyOf(merged, n);
            count(words[w], weights[w], touched, w, m);
        }

        /**
         * Adds {@code delta} to the count of every adjacent pair of a word; pairs with the new symbol are the only
         * ones whose count can grow, so only they are indexed and queued afresh.
         */
        private void count(int[] word, long delta, Set<Long> touched, int w, int newSymbol) {
            for (int k = 0; k + 1 < word.length; k++) {
                long p = pair(word[k], word[k + 1]);
                long n = pairCounts.merge(p, delta, Long::sum);
                if (n == 0) {
                    pairCounts.remove(p);
                }
                if (word[k] == newSymbol || word[k + 1] == newSymbol) {
                    pairWords.computeIfAbsent(p, x -> new ArrayList<>()).add(w);
                    touched.add(p);
                }
            }
        }
    }

    /** Reads the form {@link #toText()} writes; anything else is refused with the offending line named. */
    public static WordPieceTokenizer parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("WordPiece vocabulary: the text does not end with a line break "
                    + "(truncated?)");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("not a qat4j WordPiece vocabulary: the first line is not \"" + HEADER
                    + "\"");
        }
        List<String> vocabulary = Arrays.asList(lines).subList(1, lines.length);
        if (vocabulary.size() <= SPECIAL_TOKENS.size()) {
            throw new IllegalArgumentException("WordPiece vocabulary: " + vocabulary.size() + " tokens, expected the "
                    + SPECIAL_TOKENS.size() + " special tokens and at least one more");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            String t = vocabulary.get(i);
            String where = "WordPiece vocabulary line " + (i + 2) + " (id " + i + "): ";
            if (i < SPECIAL_TOKENS.size() ? !t.equals(SPECIAL_TOKENS.get(i)) : !isPiece(t)) {
                throw new IllegalArgumentException(where + (i < SPECIAL_TOKENS.size()
                        ? "expected " + SPECIAL_TOKENS.get(i) + ", found \"" + t + "\""
                        : "\"" + t + "\" is not a normalised word, punctuation character or ##-continuation"));
            }
            if (!seen.add(t)) {
                throw new IllegalArgumentException(where + "\"" + t + "\" appears twice");
            }
        }
        return new WordPieceTokenizer(vocabulary);
    }

    /** A token pre-tokenisation could produce: a whole word or punctuation character, or ## and a word's tail. */
    private static boolean isPiece(String t) {
        boolean continuation = t.startsWith(CONTINUATION);
        String bare = continuation ? t.substring(CONTINUATION.length()) : t;
        return words(bare).equals(List.of(bare)) && (!continuation || bare.codePoints().allMatch(
                WordPieceTokenizer::isWordChar));
    }

    public String toText() {
        return text;
    }

    /** SHA-256 of {@link #toText()}, hex. */
    public String fingerprint() {
        return fingerprint;
    }

    public int size() {
        return vocabulary.size();
    }

    public String token(int id) {
        return vocabulary.get(id);
    }

    /** The pieces of a text, untruncated and without [CLS]. */
    public List<String> tokenize(String text) {
        List<String> pieces = new ArrayList<>();
        for (String w : words(text)) {
            for (int id : pieces(w)) {
                pieces.add(vocabulary.get(id));
            }
        }
        return pieces;
    }

    /** [CLS] and the ids of the text's pieces, cut at {@code maxLength} ids, padded with [PAD] to it. */
    public int[] encode(String text, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("sequence length must be at least 1, was " + maxLength);
        }
        int[] out = new int[maxLength];
        out[0] = CLS;
        int n = 1;
        for (String w : words(text)) {
            if (n == maxLength) {
                break;
            }
            for (int id : pieces(w)) {
                if (n == maxLength) {
                    break;
                }
                out[n++] = id;
            }
        }
        return out;
    }

    private int[] pieces(String word) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > MAX_WORD_CHARS) {
            return new int[] {UNK};
        }
        int[] out = new int[cps.length];
        int n = 0;
        int start = 0;
        while (start < cps.length) {
            int end = Math.min(cps.length, start + longestPiece);
            Integer id = null;
            for (; end > start; end--) {
                String piece = new String(cps, start, end - start);
                id = ids.get(start == 0 ? piece : CONTINUATION + piece);
                if (id != null) {
                    break;
                }
            }
            if (id == null) {
                return new int[] {UNK};
            }
            out[n++] = id;
            start = end;
        }
        return Arrays.copyOf(out, n);
    }

    /** Pre-tokenisation: normalised words and one-character punctuation, symbol and ideograph words. */
    static List<String> words(String text) {
        String s = Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isDropped(cp)) {
                continue;
            }
            if (isWordChar(cp)) {
                word.appendCodePoint(cp);
                continue;
            }
            if (word.length() > 0) {
                words.add(word.toString());
                word.setLength(0);
            }
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                words.add(new String(Character.toChars(cp)));
            }
        }
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words;
    }

    /** Accents (after NFD), controls, format characters, unassigned and private-use code points, U+FFFD. */
    private static boolean isDropped(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.SURROGATE
                || type == Character.CONTROL && !Character.isWhitespace(cp) || cp == 0xFFFD;
    }

    private static boolean isWordChar(int cp) {
        if (!Character.isLetterOrDigit(cp) && Character.getType(cp) != Character.COMBINING_SPACING_MARK) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script != Character.UnicodeScript.HAN && script != Character.UnicodeScript.HIRAGANA
                && script != Character.UnicodeScript.KATAKANA;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
