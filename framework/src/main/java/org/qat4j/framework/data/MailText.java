package org.qat4j.framework.data;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The readable text of one raw e-mail message (RFC 5322 with MIME, RFC 2045-2047): its Subject followed by the text
 * of its body, headers dropped, whitespace collapsed to single spaces. Bodies are decoded as a mail reader shows
 * them: multipart messages contribute their text/plain and text/html parts (of a multipart/alternative only one
 * rendering, text/plain preferred), attached messages their subject and text; quoted-printable and base64 are
 * undone, RFC 2047 encoded words in the Subject too; HTML is rendered to text by {@link HtmlText}, including a
 * text/plain part that is really an HTML page. Charsets follow the WHATWG encoding rules where mail in the wild
 * needs them: US-ASCII and ISO-8859-1 are read as windows-1252, an unknown or missing charset as UTF-8 when the
 * bytes are valid UTF-8 and windows-1252 otherwise. A leading mbox {@code From } line is skipped.
 *
 * <p>A message is {@link Undecodable} when it does not start with a header, declares a multipart body without a
 * boundary or without any part, nests beyond {@value #MAX_DEPTH} levels, carries invalid base64 in a text part, or
 * has no text at all.
 */
final class MailText {

    static final int MAX_DEPTH = 20;

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
    private static final Pattern BETWEEN_ENCODED_WORDS = Pattern.compile("(\\?=)\\s+(=\\?)");
    private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/]+={0,2}");
    private static final Pattern LOOKS_LIKE_HTML = Pattern.compile("(?i)<\\s*(html|body|head|table|font|p|br|div|a\\s"
            + "|img\\s)\\b");
    private static final Set<String> AS_WINDOWS_1252 = Set.of("us-ascii", "ascii", "iso-8859-1", "iso8859-1",
            "latin1", "iso_8859-1", "default", "x-user-defined");
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private MailText() {
    }

    /** Why a message has no text qat4j can read; the loaders count such messages and skip them. */
    static final class Undecodable extends Exception {
        Undecodable(String reason) {
            super(reason);
        }
    }

    /** The Subject and body text of a raw message, whitespace normalised. */
    static String of(byte[] raw) throws Undecodable {
        String text = normalised(message(latin1(raw), 0, true));
        if (text.isEmpty()) {
            throw new Undecodable("no subject and no text part");
        }
        return text;
    }

    /** One byte per char, so that structure is found on chars and a part's bytes come back with {@link #bytes}. */
    private static String latin1(byte[] raw) {
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        return s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    private record Entity(Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name);
        }
    }

    private static String message(String s, int depth, boolean topLevel) throws Undecodable {
        Entity e = entity(s, topLevel);
        StringBuilder out = new StringBuilder();
        String subject = e.header("subject");
        if (subject != null) {
            out.append(headerText(subject)).append('\n');
        }
        out.append(body(e, depth));
        return out.toString();
    }

    private static Entity entity(String s, boolean topLevel) throws Undecodable {
        int pos = 0;
        if (topLevel && s.startsWith("From ")) {
            int nl = s.indexOf('\n');
            pos = nl < 0 ? s.length() : nl + 1;
        }
        Map<String, String> headers = new HashMap<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        boolean first = true;
        while (pos < s.length()) {
            int end = s.indexOf('\n', pos);
            if (end < 0) {
                end = s.length();
            }
            String line = s.substring(pos, end);
            if (line.isEmpty()) {
                pos = end + 1;
                break;
            }
            boolean continuation = line.charAt(0) == ' ' || line.charAt(0) == '\t';
            int colon = continuation ? -1 : fieldNameEnd(line);
            if (!continuation && colon < 0 || continuation && name == null) {
                if (first && topLevel) {
                    throw new Undecodable("does not start with a mail header");
                }
                // A broken header section in the wild (or a MIME part without headers): the body starts here.
                break;
            }
            if (continuation) {
                value.append(' ').append(line.strip());
            } else {
                if (name != null) {
                    headers.putIfAbsent(name, value.toString());
                }
                name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                value.setLength(0);
                value.append(line.substring(colon + 1).strip());
            }
            first = false;
            pos = end + 1;
        }
        if (name != null) {
            headers.putIfAbsent(name, value.toString());
        }
        return new Entity(headers, pos >= s.length() ? "" : s.substring(pos));
    }

    /** Index of the colon ending a header field name (printable ASCII, optional blanks before the colon), or -1. */
    private static int fieldNameEnd(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) > ' ' && line.charAt(i) < 127 && line.charAt(i) != ':') {
            i++;
        }
        if (i == 0) {
            return -1;
        }
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i < line.length() && line.charAt(i) == ':' ? i : -1;
    }

    private record ContentType(String type, Map<String, String> params) {

        static ContentType of(String header) {
            Map<String, String> params = new HashMap<>();
            if (header == null) {
                return new ContentType("text/plain", params);
            }
            List<String> fields = splitParameters(header);
            String type = fields.get(0).strip().toLowerCase(Locale.ROOT);
            for (String f : fields.subList(1, fields.size())) {
                int eq = f.indexOf('=');
                if (eq > 0) {
                    String v = f.substring(eq + 1).strip();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    params.putIfAbsent(f.substring(0, eq).strip().toLowerCase(Locale.ROOT), v);
                }
            }
            // RFC 2045: a syntactically invalid type is taken as text/plain.
            return new ContentType(type.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+") ? type : "text/plain",
                    params);
        }

        private static List<String> splitParameters(String header) {
            List<String> fields = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < header.length(); i++) {
                char c = header.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == ';' && !quoted) {
                    fields.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            fields.add(cur.toString());
            return fields;
        }

        boolean is(String prefix) {
            return type.startsWith(prefix);
        }
    }

    private static String body(Entity e, int depth) throws Undecodable {
        if (depth > MAX_DEPTH) {
            throw new Undecodable("MIME parts nested deeper than " + MAX_DEPTH + " levels");
        }
        ContentType ct = ContentType.of(e.header("content-type"));
        if (ct.is("multipart/")) {
            List<Entity> parts = parts(e.body(), ct);
            if (ct.type().equals("multipart/alternative")) {
                return alternative(parts, depth);
            }
            StringBuilder out = new StringBuilder();
            for (Entity p : parts) {
                out.append(body(p, depth + 1)).append('\n');
            }
            return out.toString();
        }
        if (ct.type().equals("message/rfc822")) {
            return message(e.body(), depth + 1, false);
        }
        boolean html = ct.type().equals("text/html");
        if (!html && !ct.type().equals("text/plain")) {
            return "";
        }
        String text = decode(transferDecoded(e), ct.params().get("charset"));
        return html || LOOKS_LIKE_HTML.matcher(text).find() ? HtmlText.of(text) : text;
    }

    /** One rendering of the alternatives: the first text/plain one with text, else the first with any text. */
    private static String alternative(List<Entity> parts, int depth) throws Undecodable {
        String fallback = "";
        for (Entity p : parts) {
            String text = body(p, depth + 1);
            if (text.isBlank()) {
                continue;
            }
            if (ContentType.of(p.header("content-type")).type().equals("text/plain")) {
                return text;
            }
            if (fallback.isEmpty()) {
                fallback = text;
            }
        }
        return fallback;
    }

    private static List<Entity> parts(String body, ContentType ct) throws Undecodable {
        String boundary = ct.params().get("boundary");
        if (boundary == null || boundary.isEmpty()) {
            throw new Undecodable(ct.type() + " without a boundary");
        }
        String delimiter = "--" + boundary;
        List<Entity> parts = new ArrayList<>();
        int start = -1;
        int pos = 0;
        while (pos < body.length()) {
            int end = body.indexOf('\n', pos);
            if (end < 0) {
                end = body.length();
            }
            if (body.startsWith(delimiter, pos)) {
                String rest = body.substring(pos + delimiter.length(), end);
                boolean close = rest.startsWith("--");
                if (close || rest.isBlank()) {
                    if (start >= 0) {
                        parts.add(entity(body.substring(start, Math.max(start, pos - 1)), false));
                    }
                    if (close) {
                        start = -1;
                        break;
                    }
                    start = end + 1;
                }
            }
            pos = end + 1;
        }
        if (start >= 0 && start < body.length()) {
            // No closing delimiter: a truncated message; its last part runs to the end.
            parts.add(entity(body.substring(start), false));
        }
        if (parts.isEmpty()) {
            throw new Undecodable(ct.type() + " whose boundary \"" + boundary + "\" delimits no part");
        }
        return parts;
    }

    private static byte[] transferDecoded(Entity e) throws Undecodable {
        String encoding = e.header("content-transfer-encoding");
        encoding = encoding == null ? "" : encoding.strip().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "quoted-printable" -> quotedPrintable(e.body());
            case "base64" -> base64(e.body());
            default -> bytes(e.body());
        };
    }

    /** RFC 2045 6.7, leniently: an '=' not followed by two hex digits or a line break stays as it is. */
    static byte[] quotedPrintable(String s) {
        ByteBuffer out = ByteBuffer.allocate(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                int soft = i + 1;
                while (soft < s.length() && (s.charAt(soft) == ' ' || s.charAt(soft) == '\t')) {
                    soft++;
                }
                if (soft < s.length() && s.charAt(soft) == '\n') {
                    i = soft;
                    continue;
                }
                if (i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                    out.put((byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
                    i += 2;
                    continue;
                }
            }
            out.put((byte) c);
        }
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    /**
     * RFC 2045 6.8 as mail readers apply it: the data is the first run of lines made of base64 characters, up to a
     * line with padding, a blank line or a line with anything else, such as the footer a mailing list appends after
     * a base64 body; the rest is ignored. Data with a single character over a multiple of 4 is not base64.
     */
    static byte[] base64(String s) throws Undecodable {
        StringBuilder data = new StringBuilder();
        for (String line : s.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() && data.length() == 0) {
                continue;
            }
            if (!BASE64_LINE.matcher(l).matches()) {
                break;
            }
            int pad = l.indexOf('=');
            data.append(pad < 0 ? l : l.substring(0, pad));
            if (pad >= 0) {
                break;
            }
        }
        if (data.length() % 4 == 1 || data.length() == 0 && !s.isBlank()) {
            throw new Undecodable("invalid base64 in a text part");
        }
        return Base64.getDecoder().decode(data + "==".substring(0, (4 - data.length() % 4) % 4));
    }

    /** Bytes in a declared charset, with the fallbacks of the class comment. */
    static String decode(byte[] b, String charset) {
        String name = charset == null ? null : charset.strip().toLowerCase(Locale.ROOT);
        if (name == null || name.isEmpty()) {
            return utf8OrWindows1252(b);
        }
        if (AS_WINDOWS_1252.contains(name)) {
            return new String(b, WINDOWS_1252);
        }
        Charset cs;
        try {
            cs = Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return utf8OrWindows1252(b);
        }
        return new String(b, cs);
    }

    private static String utf8OrWindows1252(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return new String(b, WINDOWS_1252);
        }
    }

    /** A header value: raw 8-bit bytes as UTF-8 or windows-1252, then RFC 2047 encoded words. */
    static String headerText(String latin1Value) {
        String v = utf8OrWindows1252(bytes(latin1Value));
        v = BETWEEN_ENCODED_WORDS.matcher(v).replaceAll("$1$2");
        Matcher m = ENCODED_WORD.matcher(v);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String word;
            try {
                byte[] data = m.group(2).equalsIgnoreCase("b") ? base64(m.group(3))
                        : quotedPrintable(m.group(3).replace('_', ' '));
                word = decode(data, m.group(1).replaceFirst("\\*.*", ""));
            } catch (Undecodable e) {
                word = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(word));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whitespace runs (Unicode spaces included) to one space, other control characters dropped, trimmed. */
    static String normalised(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = out.length() > 0;
            } else if (!Character.isISOControl(c)) {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
