package org.qat4j.framework.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class MessageArchiveTest {

    private static byte[] archive(List<MessageArchive.Entry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageArchive.write(entries, out);
        return out.toByteArray();
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    @Test
    void roundTripsRawBytes() throws IOException {
        byte[] binary = {0, '\n', (byte) 0xff, '\r', ' '};
        List<MessageArchive.Entry> entries = List.of(new MessageArchive.Entry("spam-1/00001.abc.txt", binary),
                new MessageArchive.Entry("easy_ham/00002.def", new byte[0]));
        List<MessageArchive.Entry> back = MessageArchive.read("a", new ByteArrayInputStream(archive(entries)));
        assertEquals(2, back.size());
        assertEquals("spam-1/00001.abc.txt", back.get(0).name());
        assertArrayEquals(binary, back.get(0).bytes());
        assertEquals(0, back.get(1).bytes().length);
    }

    @Test
    void damageIsReportedWithTheArchiveNamed() throws IOException {
        byte[] good = archive(List.of(new MessageArchive.Entry("spam-1/00001.abc.txt", new byte[100])));
        String[][] cases = {
            {"not gzip", "corrupt or truncated gzip data"},
            {"truncated gzip", "corrupt or truncated gzip data"},
            {"wrong header", "not a qat4j message archive"},
            {"bad record", "expected \"<folder>/<file> <bytes>\" after 0 messages"},
            {"short message", "truncated archive in spam-1/x"},
        };
        for (String[] c : cases) {
            byte[] bytes = switch (c[0]) {
                case "not gzip" -> "plain text".getBytes(StandardCharsets.US_ASCII);
                case "truncated gzip" -> Arrays.copyOf(good, good.length - 12);
                case "wrong header" -> gzip("qat4j-messages 2\n");
                case "bad record" -> gzip(MessageArchive.HEADER + "\nno size here\n");
                default -> gzip(MessageArchive.HEADER + "\nspam-1/x 10\nshort\n");
            };
            IOException e = assertThrows(IOException.class,
                    () -> MessageArchive.read("sample.gz", new ByteArrayInputStream(bytes)), c[0]);
            assertTrue(e.getMessage().startsWith("sample.gz: ") && e.getMessage().contains(c[1]), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new MessageArchive.Entry("no folder", new byte[0]));
    }
}
