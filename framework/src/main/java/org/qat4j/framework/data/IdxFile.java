package org.qat4j.framework.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An IDX file (the format of MNIST and Fashion-MNIST): magic {@code 0x0000 08 D} (unsigned bytes, D dimensions),
 * D big-endian sizes, then the data. Gzip-compressed files are recognised by their magic bytes. Every defect
 * (wrong magic, truncated data, trailing bytes, broken gzip) is an {@link IllegalArgumentException} naming the file.
 */
public record IdxFile(String name, int[] dims, byte[] data) {

    private static final int MAX_BYTES = 256 << 20;

    /** Reads and validates the whole file; {@code expectedDims} is the number of dimensions it must have. */
    public static IdxFile read(String name, InputStream raw, int expectedDims) throws IOException {
        byte[] bytes;
        try (InputStream in = maybeGunzip(new BufferedInputStream(raw))) {
            bytes = readAll(name, in);
        } catch (ZipException | java.io.EOFException e) {
            throw new IllegalArgumentException(name + ": corrupt gzip data (" + e.getMessage() + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < 4 || b.getShort(0) != 0 || bytes[2] != 0x08) {
            throw new IllegalArgumentException(name + ": not an IDX file of unsigned bytes (bad magic number)");
        }
        int d = bytes[3];
        if (d != expectedDims) {
            throw new IllegalArgumentException(name + ": expected " + expectedDims + " dimensions, found " + d);
        }
        if (bytes.length < 4 + 4 * d) {
            throw new IllegalArgumentException(name + ": truncated header");
        }
        int[] dims = new int[d];
        long size = 1;
        for (int i = 0; i < d; i++) {
            dims[i] = b.getInt(4 + 4 * i);
            if (dims[i] <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + i + " is " + dims[i]);
            }
            size *= dims[i];
        }
        long have = bytes.length - 4L - 4L * d;
        if (have < size) {
            throw new IllegalArgumentException(name + ": truncated: " + size + " data bytes expected, " + have
                    + " found");
        }
        if (have > size) {
            throw new IllegalArgumentException(name + ": " + (have - size) + " unexpected bytes after the data");
        }
        byte[] data = new byte[(int) size];
        System.arraycopy(bytes, 4 + 4 * d, data, 0, (int) size);
        return new IdxFile(name, dims, data);
    }

    private static InputStream maybeGunzip(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in) : in;
    }

    private static byte[] readAll(String name, InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_BYTES) {
                throw new IllegalArgumentException(name + ": larger than " + (MAX_BYTES >> 20) + " MiB");
            }
        }
        return out.toByteArray();
    }
}
