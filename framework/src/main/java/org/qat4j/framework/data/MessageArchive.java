package org.qat4j.framework.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The file format of the bundled SpamAssassin sample: raw messages, byte for byte, in one gzip stream (one stream
 * compresses the repeated headers of a mail corpus far better than a file per message). After the line
 * {@value #HEADER}, each message is a line {@code <folder>/<file name> <byte count>}, the message's bytes and a line
 * break; names are those of the corpus ({@code spam-2/00083.1aead789d4b4c7022c51bc632e4f2445.txt}). {@code zcat}
 * shows the messages as they are.
 */
final class MessageArchive {

    static final String HEADER = "qat4j-messages 1";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    private static final int MAX_MESSAGE_BYTES = 64 << 20;

    private MessageArchive() {
    }

    /** One raw message and the corpus-relative name it had. */
    record Entry(String name, byte[] bytes) {

        Entry {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a <folder>/<file> message name: \"" + name + "\"");
            }
        }
    }

    static void write(List<Entry> entries, OutputStream out) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out);
        gz.write((HEADER + "\n").getBytes(StandardCharsets.US_ASCII));
        for (Entry e : entries) {
            gz.write((e.name() + " " + e.bytes().length + "\n").getBytes(StandardCharsets.US_ASCII));
            gz.write(e.bytes());
            gz.write('\n');
        }
        gz.finish();
    }

    /** Reads an archive; {@code what} names it in the message of the IOException a damaged archive gives. */
    static List<Entry> read(String what, InputStream in) throws IOException {
        try (InputStream gz = new GZIPInputStream(in, 1 << 16)) {
            if (!HEADER.equals(line(gz))) {
                throw new IOException(what + ": not a qat4j message archive (no \"" + HEADER + "\" line)");
            }
            List<Entry> entries = new ArrayList<>();
            for (String line = line(gz); line != null; line = line(gz)) {
                String[] f = line.split(" ");
                if (f.length != 2 || !NAME.matcher(f[0]).matches() || !f[1].matches("[0-9]{1,9}")
                        || Integer.parseInt(f[1]) > MAX_MESSAGE_BYTES) {
                    throw new IOException(what + ": damaged archive, expected \"<folder>/<file> <bytes>\" after "
                            + entries.size() + " messages, found \"" + abbreviated(line) + "\"");
                }
                byte[] bytes = gz.readNBytes(Integer.parseInt(f[1]));
                if (bytes.length != Integer.parseInt(f[1]) || gz.read() != '\n') {
                    throw new IOException(what + ": truncated archive in " + f[0]);
                }
                entries.add(new Entry(f[0], bytes));
            }
            return entries;
        } catch (ZipException | EOFException e) {
            throw new IOException(what + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** The next ASCII line without its '\n', or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c = in.read();
        if (c < 0) {
            return null;
        }
        while (c >= 0 && c != '\n' && b.size() <= 1024) {
            b.write(c);
            c = in.read();
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String abbreviated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
