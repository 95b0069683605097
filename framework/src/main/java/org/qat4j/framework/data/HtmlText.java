package org.qat4j.framework.data;

import java.nio.charset.Charset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The text a browser would show for an HTML document, for classification rather than display: tags are removed
 * (block-level ones leave a space, inline ones nothing, so that {@code V<b></b>iagra} reads as one word as it does
 * on screen), comments and the content of {@code script} and {@code style} elements are dropped, character
 * references are decoded (numeric ones, the HTML 4 named ones, and the Latin-1 names without their semicolon as
 * browsers accept them; numeric references 128-159 are windows-1252 characters, as in HTML5). An unterminated
 * comment, tag or script hides the rest of the document, as in a browser. Whitespace is left for the caller to
 * normalise. One pass, linear in the length of the document.
 */
final class HtmlText {

    private static final Set<String> BLOCK = Set.of("address", "article", "aside", "blockquote", "body", "br",
            "caption", "center", "dd", "div", "dl", "dt", "fieldset", "footer", "form", "frame", "h1", "h2", "h3",
            "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "img", "input", "li", "map", "menu", "nav",
            "noscript", "ol", "option", "p", "pre", "section", "select", "table", "tbody", "td", "textarea", "tfoot",
            "th", "thead", "title", "tr", "ul");

    /**
     * HTML 4's ISO 8859-1 entities, code points 160 to 255 in order; browsers also accept these (and amp, lt, gt,
     * quot) without their ';'.
     */
    private static final String LATIN1_NAMES = "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not "
            + "shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 "
            + "iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc "
            + "Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN "
            + "szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc "
            + "iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn "
            + "yuml";

    /** HTML 4's other entities that occur in mail (special characters and common symbols). */
    private static final String OTHER_NAMES = "quot 34 amp 38 apos 39 lt 60 gt 62 OElig 338 oelig 339 Scaron 352 "
            + "scaron 353 Yuml 376 fnof 402 circ 710 tilde 732 ensp 8194 emsp 8195 thinsp 8201 zwnj 8204 zwj 8205 "
            + "lrm 8206 rlm 8207 ndash 8211 mdash 8212 lsquo 8216 rsquo 8217 sbquo 8218 ldquo 8220 rdquo 8221 "
            + "bdquo 8222 dagger 8224 Dagger 8225 bull 8226 hellip 8230 permil 8240 prime 8242 Prime 8243 "
            + "lsaquo 8249 rsaquo 8250 euro 8364 trade 8482 larr 8592 uarr 8593 rarr 8594 darr 8595 harr 8596 "
            + "hearts 9829 diams 9830 clubs 9827 spades 9824";

    private static final Map<String, Integer> NAMED = new HashMap<>();
    private static final Set<String> LEGACY;
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    static {
        String[] latin1 = LATIN1_NAMES.split(" ");
        if (latin1.length != 96) {
            throw new IllegalStateException("the Latin-1 entity table has " + latin1.length + " names, not 96");
        }
        for (int i = 0; i < latin1.length; i++) {
            NAMED.put(latin1[i], 160 + i);
        }
        Set<String> legacy = new HashSet<>(Set.of(latin1));
        legacy.addAll(Set.of("amp", "lt", "gt", "quot"));
        LEGACY = Set.copyOf(legacy);
        String[] other = OTHER_NAMES.split(" ");
        for (int i = 0; i < other.length; i += 2) {
            NAMED.put(other[i], Integer.parseInt(other[i + 1]));
        }
    }

    private HtmlText() {
    }

    static String of(String html) {
        int n = html.length();
        char[] lower = new char[n];
        for (int i = 0; i < n; i++) {
            lower[i] = Character.toLowerCase(html.charAt(i));
        }
        String lowered = new String(lower);
        StringBuilder out = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            char c = html.charAt(i);
            if (c == '<') {
                if (html.startsWith("<!--", i)) {
                    int end = html.indexOf("-->", i + 4);
                    i = end < 0 ? n : end + 3;
                    continue;
                }
                int j = i + 1;
                boolean closing = j < n && html.charAt(j) == '/';
                if (closing) {
                    j++;
                }
                if (j < n && (isAsciiLetter(html.charAt(j)) || !closing && (html.charAt(j) == '!'
                        || html.charAt(j) == '?'))) {
                    int gt = html.indexOf('>', j);
                    if (gt < 0) {
                        break;
                    }
                    int nameEnd = j;
                    while (nameEnd < n && (isAsciiLetter(lower[nameEnd]) || Character.isDigit(lower[nameEnd]))) {
                        nameEnd++;
                    }
                    String name = lowered.substring(j, nameEnd);
                    if (BLOCK.contains(name)) {
                        out.append(' ');
                    }
                    i = gt + 1;
                    if (!closing && (name.equals("script") || name.equals("style"))) {
                        int close = lowered.indexOf("</" + name, i);
                        i = close < 0 ? n : close;
                    }
                    continue;
                }
            } else if (c == '&') {
                i = reference(html, i, out);
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /** Appends the character reference at {@code amp} (or the '&' itself) and returns where the text resumes. */
    private static int reference(String s, int amp, StringBuilder out) {
        int n = s.length();
        int j = amp + 1;
        if (j < n && s.charAt(j) == '#') {
            j++;
            int radix = 10;
            if (j < n && (s.charAt(j) == 'x' || s.charAt(j) == 'X')) {
                radix = 16;
                j++;
            }
            int start = j;
            while (j < n && j - start < 8 && Character.digit(s.charAt(j), radix) >= 0) {
                j++;
            }
            if (j > start) {
                appendCodePoint(Integer.parseInt(s.substring(start, j), radix), out);
                return j < n && s.charAt(j) == ';' ? j + 1 : j;
            }
        } else {
            while (j < n && j - amp <= 32 && (isAsciiLetter(s.charAt(j)) || Character.isDigit(s.charAt(j)))) {
                j++;
            }
            String name = s.substring(amp + 1, j);
            boolean semicolon = j < n && s.charAt(j) == ';';
            String key = NAMED.containsKey(name) ? name : name.toLowerCase(Locale.ROOT);
            Integer cp = NAMED.get(key);
            if (cp != null && (semicolon || LEGACY.contains(key))) {
                out.appendCodePoint(cp);
                return semicolon ? j + 1 : j;
            }
        }
        out.append('&');
        return amp + 1;
    }

    private static void appendCodePoint(int cp, StringBuilder out) {
        if (cp >= 128 && cp < 160) {
            out.append(new String(new byte[] {(byte) cp}, WINDOWS_1252));
        } else if (cp == 0 || cp > Character.MAX_CODE_POINT || cp >= Character.MIN_SURROGATE
                && cp <= Character.MAX_SURROGATE) {
            out.append('\uFFFD');
        } else {
            out.appendCodePoint(cp);
        }
    }
}
