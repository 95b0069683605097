package org.qat4j.framework.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {

    private static final List<String> TEXTS = List.of(
            "Click here to unsubscribe from this mailing list.",
            "The unsubscribe link is broken; clicking it does nothing.",
            "Re: building the kernel -- the build failed again, rebuilding now.",
            "FREE money!!! Click NOW to claim your free prize, winners are clicking already.",
            "Subscribers: the list server was rebuilt and subscribing works again.",
            "Café crème, naïve résumé: accents go away.");

    private static WordPieceTokenizer small() {
        return WordPieceTokenizer.train(TEXTS, 90);
    }

    @Test
    void preTokenisationLowercasesStripsAccentsAndSplitsPunctuationAndIdeographs() {
        assertEquals(List.of("cafe", "creme", ",", "naive", "resume", "!", "e", "-", "mail", "x2", "$", "5"),
                WordPieceTokenizer.words("  Café CRÈME, naïve\tRésumé! E-mail x2 $5 "));
        assertEquals(List.of("免", "費", "call", "电", "话"), WordPieceTokenizer.words("免費call电话"));
        assertEquals(List.of("zero", "width"), WordPieceTokenizer.words("zero\u200b width\u0000"));
    }

    @Test
    void trainingIsDeterministicAndIndependentOfTextOrder() {
        WordPieceTokenizer a = small();
        List<String> shuffled = new ArrayList<>(TEXTS);
        Collections.shuffle(shuffled, new Random(3));
        WordPieceTokenizer b = WordPieceTokenizer.train(shuffled, 90);
        assertEquals(a.toText(), b.toText());
        assertEquals(a.fingerprint(), b.fingerprint());
        assertEquals(90, a.size());
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]"), List.of(a.token(0), a.token(1), a.token(2),
                a.token(3)));
        assertNotEquals(a.fingerprint(), WordPieceTokenizer.train(TEXTS, 80).fingerprint());
    }

    @Test
    void frequentWordsBecomeOneTokenAndRareOnesSplitIntoPieces() {
        WordPieceTokenizer t = small();
        assertEquals(List.of("click"), t.tokenize("CLICK"));
        List<String> pieces = t.tokenize("unclicking");
        assertTrue(pieces.size() > 1 && pieces.subList(1, pieces.size()).stream().allMatch(p -> p.startsWith("##")),
                pieces.toString());
        assertEquals("unclicking", String.join("", pieces).replace("##", ""));
        assertEquals(List.of("[UNK]", "click"), t.tokenize("Ωmega click"), "a character never seen");
        assertEquals(List.of("[UNK]"), t.tokenize("a".repeat(WordPieceTokenizer.MAX_WORD_CHARS + 1)));
    }

    @Test
    void encodeStartsWithClsTruncatesAndPads() {
        WordPieceTokenizer t = small();
        int[] ids = t.encode("click here", 6);
        assertEquals(6, ids.length);
        assertEquals(WordPieceTokenizer.CLS, ids[0]);
        List<String> pieces = t.tokenize("click here");
        for (int i = 0; i < pieces.size(); i++) {
            assertEquals(pieces.get(i), t.token(ids[i + 1]));
        }
        for (int i = pieces.size() + 1; i < ids.length; i++) {
            assertEquals(WordPieceTokenizer.PAD, ids[i]);
        }
        String longText = String.join(" ", TEXTS);
        int[] cut = t.encode(longText, 8);
        assertEquals(t.tokenize(longText).subList(0, 7), List.of(t.token(cut[1]), t.token(cut[2]), t.token(cut[3]),
                t.token(cut[4]), t.token(cut[5]), t.token(cut[6]), t.token(cut[7])));
        assertArrayEquals(new int[] {WordPieceTokenizer.CLS}, t.encode(longText, 1));
        assertArrayEquals(new int[] {WordPieceTokenizer.CLS, 0, 0}, t.encode("", 3));
        assertThrows(IllegalArgumentException.class, () -> t.encode("x", 0));
    }

    @Test
    void textFormRoundTrips() {
        WordPieceTokenizer t = small();
        assertTrue(t.toText().startsWith(WordPieceTokenizer.HEADER + "\n[PAD]\n[UNK]\n[CLS]\n[SEP]\n"));
        WordPieceTokenizer back = WordPieceTokenizer.parse(t.toText());
        assertEquals(t.toText(), back.toText());
        assertEquals(t.fingerprint(), back.fingerprint());
        for (String text : TEXTS) {
            assertArrayEquals(t.encode(text, 32), back.encode(text, 32));
        }
    }

    @Test
    void malformedTextIsRefusedWithTheLineNamed() {
        String good = small().toText();
        String[][] cases = {
            {"", "does not end with a line break"},
            {good.substring(0, good.length() - 1), "does not end with a line break"},
            {"some other format\n" + good.substring(good.indexOf('\n') + 1), "not a qat4j WordPiece vocabulary"},
            {good.replace("[CLS]\n", "[XYZ]\n"), "line 4 (id 2): expected [CLS], found \"[XYZ]\""},
            {good + "click\n", "\"click\" appears twice"},
            {good + "two words\n", "\"two words\" is not"},
            {good + "Upper\n", "\"Upper\" is not"},
            {good + "\n", "\"\" is not"},
            {good + "##\n", "\"##\" is not"},
            {good + "##.\n", "\"##.\" is not"},
            {good + "[MASK]\n", "\"[MASK]\" is not"},
            {WordPieceTokenizer.HEADER + "\n[PAD]\n[UNK]\n[CLS]\n[SEP]\n", "4 tokens"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WordPieceTokenizer.parse(c[0]), c[1]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void vocabularySizeIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> WordPieceTokenizer.train(TEXTS, 15));
        assertTrue(WordPieceTokenizer.train(TEXTS, 100_000).size() < 1000, "stops when no pair occurs twice");
    }
}
