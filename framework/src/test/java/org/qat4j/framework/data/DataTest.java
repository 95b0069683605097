package org.qat4j.framework.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DataTest {

    @TempDir
    Path dir;

    private static byte[] idx(int magicDims, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
        b.putShort((short) 0).put((byte) 8).put((byte) magicDims);
        for (int d : dims) {
            b.putInt(d);
        }
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }

    private static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void readsPlainAndGzippedIdx() throws Exception {
        byte[] raw = idx(1, new int[] {5}, 5);
        IdxFile plain = IdxFile.read("labels", new ByteArrayInputStream(raw), 1);
        IdxFile gz = IdxFile.read("labels.gz", new ByteArrayInputStream(gzip(raw)), 1);
        assertArrayEquals(plain.data(), gz.data());
        assertArrayEquals(new int[] {5}, gz.dims());
    }

    @Test
    void defectsNameTheFile() throws Exception {
        String[][] cases = {
            {"truncated", "truncated: 6 data bytes expected, 5 found"},
            {"trailing", "unexpected bytes after the data"},
            {"magic", "not an IDX file"},
            {"dims", "expected 1 dimensions, found 3"},
            {"gzip", "corrupt gzip data"},
        };
        for (String[] c : cases) {
            byte[] bytes = switch (c[0]) {
                case "truncated" -> idx(1, new int[] {6}, 5);
                case "trailing" -> idx(1, new int[] {4}, 5);
                case "magic" -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
                case "dims" -> idx(3, new int[] {1, 2, 2}, 4);
                default -> java.util.Arrays.copyOf(gzip(idx(1, new int[] {50}, 50)), 20);
            };
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> IdxFile.read("train-labels-idx1-ubyte", new ByteArrayInputStream(bytes), 1), c[0]);
            assertTrue(e.getMessage().startsWith("train-labels-idx1-ubyte: ") && e.getMessage().contains(c[1]),
                    e.getMessage());
        }
    }

    @Test
    void bundledSampleIsStratified() throws Exception {
        FashionMnist f = FashionMnist.bundled();
        assertEquals(3000, f.train().size());
        assertEquals(1000, f.test().size());
        int[] counts = new int[10];
        for (int y : f.train().labels()) {
            counts[y]++;
        }
        for (int c : counts) {
            assertEquals(300, c);
        }
        float max = f.train().pixels().maxNumber().floatValue();
        assertTrue(max <= 1f && max > 0.9f);
    }

    @Test
    void explicitDirectoryMustHoldTheData() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.load(dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains("directory not found"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("file missing") && e.getMessage().contains("train-images-idx3-ubyte"),
                e.getMessage());
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(3, new int[] {2, 28, 28}, 100));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(1, new int[] {2}, 2));
        e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte: truncated"), e.getMessage());
    }

    @Test
    void epochOrderIsAFunctionOfSeedAndEpoch() throws Exception {
        LabeledImages train = FashionMnist.bundled().train().limit(200);
        EpochBatches a = new EpochBatches(train, 64, 7, 3);
        EpochBatches b = new EpochBatches(train, 64, 7, 3);
        EpochBatches c = new EpochBatches(train, 64, 7, 4);
        assertEquals(4, a.count());
        DataSet a2 = a.batch(2);
        assertEquals(a2.getFeatures(), b.batch(2).getFeatures());
        assertTrue(!a2.getFeatures().equals(c.batch(2).getFeatures()));
        assertEquals(8, a.batch(3).numExamples());
        assertArrayEquals(new long[] {64, 1, 28, 28}, a2.getFeatures().shape());
        assertEquals(64.0, a2.getLabels().sumNumber().doubleValue(), 0);
    }

    @Test
    void augmentationIsDeterministicPerBatchAndMovesPixelsAsDeclared() throws Exception {
        LabeledImages train = FashionMnist.bundled().train().limit(200);
        ImageAugmentation aug = new ImageAugmentation(true, 2);
        EpochBatches a = new EpochBatches(train, 64, 7, 3, aug);
        EpochBatches plain = new EpochBatches(train, 64, 7, 3);
        assertEquals(a.batch(1).getFeatures(), new EpochBatches(train, 64, 7, 3, aug).batch(1).getFeatures());
        assertEquals(plain.batch(1).getLabels(), a.batch(1).getLabels(), "same examples, same order");
        INDArray x = plain.batch(1).getFeatures();
        INDArray y = a.batch(1).getFeatures();
        int changed = 0;
        for (int i = 0; i < x.size(0); i++) {
            INDArray src = x.get(NDArrayIndex.point(i), NDArrayIndex.point(0));
            INDArray got = y.get(NDArrayIndex.point(i), NDArrayIndex.point(0));
            boolean found = false;
            for (int mirror = 0; mirror < 2 && !found; mirror++) {
                for (int dy = -2; dy <= 2 && !found; dy++) {
                    for (int dx = -2; dx <= 2 && !found; dx++) {
                        found = got.equals(moved(src, mirror == 1, dy, dx));
                        if (found && (mirror == 1 || dy != 0 || dx != 0)) {
                            changed++;
                        }
                    }
                }
            }
            assertTrue(found, "example " + i + " is not a flip/shift of its source");
        }
        assertTrue(changed > x.size(0) / 2, "most examples are transformed: " + changed);
        assertTrue(!a.batch(1).getFeatures().equals(a.batch(2).getFeatures()));
        assertThrows(IllegalArgumentException.class, () -> new ImageAugmentation(false, -1));
    }

    /** The reference transform, pixel by pixel: mirror, then translate with zero fill. */
    private static INDArray moved(INDArray img, boolean mirror, int dy, int dx) {
        int h = (int) img.size(0);
        int w = (int) img.size(1);
        INDArray out = Nd4j.zeros(img.dataType(), h, w);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int sr = r - dy;
                int sc = c - dx;
                if (sr >= 0 && sr < h && sc >= 0 && sc < w) {
                    out.putScalar(r, c, img.getDouble(sr, mirror ? w - 1 - sc : sc));
                }
            }
        }
        return out;
    }
}
