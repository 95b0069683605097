package org.qat4j.framework.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The container of an exported model (docs/q4j-format.md):
 * <pre>
 *   magic "QAT4JQ4J" | u32 format version | u32 header length H | header: H bytes of UTF-8 JSON
 *   | u64 blob length B | blob: B bytes of tensors | SHA-256 of every byte before it (32 bytes)
 * </pre>
 * Integers little-endian. Reading checks the magic, the version, every length against the file and the checksum
 * before the header is parsed, so a foreign, truncated or damaged file is refused in one sentence.
 */
public final class Q4jFile {

    public static final String EXTENSION = ".q4j";
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "QAT4JQ4J".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file's header and tensor blob. */
    public record Contents(ObjectNode header, ByteBuffer blob) {
    }

    private Q4jFile() {
    }

    static ObjectMapper json() {
        return JSON;
    }

    /**
     * Writes atomically (temporary file, fsync, rename) and never over an existing file; returns the file's size.
     */
    public static long write(Path out, ObjectNode header, byte[] blob) throws IOException {
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists; choose another --out (an export never replaces a file)");
        }
        byte[] h = JSON.writeValueAsBytes(header);
        ByteArrayOutputStream b = new ByteArrayOutputStream(blob.length + h.length + 64);
        b.write(MAGIC);
        b.write(le(4).putInt(VERSION).array());
        b.write(le(4).putInt(h.length).array());
        b.write(h);
        b.write(le(8).putLong(blob.length).array());
        b.write(blob);
        b.write(sha256(b.toByteArray()));
        byte[] all = b.toByteArray();
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(all));
                ch.force(true);
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return all.length;
    }

    /** Reads and verifies a file. */
    public static Contents read(Path in) throws IOException {
        if (!Files.isRegularFile(in)) {
            throw new IllegalArgumentException("no such model file: " + in);
        }
        byte[] all = Files.readAllBytes(in);
        if (all.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException(in + " is not a qat4j model (qat4j export writes " + EXTENSION
                    + " files)");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        b.position(MAGIC.length);
        if (b.remaining() < 8) {
            throw truncated(in);
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException(in + " is a qat4j model of format " + version + "; this qat4j reads "
                    + "format " + VERSION);
        }
        long headerLength = Integer.toUnsignedLong(b.getInt());
        if (b.remaining() < headerLength + 8) {
            throw truncated(in);
        }
        int headerAt = b.position();
        b.position((int) (headerAt + headerLength));
        long blobLength = b.getLong();
        if (blobLength < 0 || b.remaining() < blobLength + 32) {
            throw truncated(in);
        }
        int blobAt = b.position();
        int end = (int) (blobAt + blobLength);
        if (all.length != end + 32) {
            throw new IllegalArgumentException(in + " is damaged: " + (all.length - end - 32) + " bytes after its "
                    + "checksum");
        }
        if (!Arrays.equals(sha256(Arrays.copyOf(all, end)), Arrays.copyOfRange(all, end, end + 32))) {
            throw new IllegalArgumentException(in + " is damaged: its SHA-256 checksum does not match its contents");
        }
        ObjectNode header;
        try {
            header = (ObjectNode) JSON.readTree(new String(all, headerAt, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException(in + " has an unreadable header (" + e.getMessage() + ")");
        }
        return new Contents(header, ByteBuffer.wrap(all, blobAt, (int) blobLength).slice()
                .order(ByteOrder.LITTLE_ENDIAN));
    }

    private static IllegalArgumentException truncated(Path in) {
        return new IllegalArgumentException(in + " is truncated");
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
