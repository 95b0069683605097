package org.qat4j.framework.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageGridTest {

    @TempDir
    Path dir;

    /** Values and the grey levels they become: round((clip(v) + 1) 127.5). */
    private static final float[] VALUES = {-1f, 0f, 1f, 0.5f, -0.5f, 2f, -3f, 0.01f, Float.NaN, -0.999f, 0.999f, 0.2f};
    private static final int[] LEVELS = {0, 128, 255, 191, 64, 255, 0, 129, 0, 0, 255, 153};

    @Test
    void greyGridRoundTrips() throws IOException {
        float[] v = new float[3 * 2 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = VALUES[i % VALUES.length];
        }
        Path file = dir.resolve("sub/grid.png");
        ImageGrid.write(Nd4j.create(v, new long[] {3, 1, 2, 3}, DataType.FLOAT), file);
        INDArray back = ImageGrid.read(file);
        // 2 columns (ceil sqrt 3) by 2 rows of 2x3 images, 2-pixel borders
        assertArrayEquals(new long[] {1, 1, 2 * (2 + 2) + 2, 2 * (3 + 2) + 2}, back.shape());
        float[][] expected = new float[10][12];
        for (float[] row : expected) {
            Arrays.fill(row, -1f);
        }
        for (int i = 0; i < 3; i++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    expected[2 + (i / 2) * 4 + y][2 + (i % 2) * 5 + x] = LEVELS[(i * 6 + y * 3 + x) % LEVELS.length]
                            / 127.5f - 1;
                }
            }
        }
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 12; x++) {
                assertEquals(expected[y][x], back.getFloat(0, 0, y, x), 0f, "pixel (" + y + ", " + x + ")");
            }
        }
    }

    @Test
    void rgbGridKeepsTheChannels() throws IOException {
        float[] v = new float[2 * 3 * 2 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = VALUES[i % VALUES.length];
        }
        Path file = dir.resolve("rgb.png");
        ImageGrid.write(Nd4j.create(v, new long[] {2, 3, 2, 2}, DataType.FLOAT), file, 2);
        INDArray back = ImageGrid.read(file);
        assertArrayEquals(new long[] {1, 3, 6, 10}, back.shape());
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 2; x++) {
                        int k = ((i * 3 + c) * 2 + y) * 2 + x;
                        assertEquals(LEVELS[k % LEVELS.length] / 127.5f - 1, back.getFloat(0, c, 2 + y, 2 + i * 4 + x),
                                0f, "image " + i + " channel " + c + " (" + y + ", " + x + ")");
                    }
                }
            }
        }
        assertEquals(-1f, back.getFloat(0, 1, 0, 0), 0f);
    }

    @Test
    void columnsSetTheLayout() throws IOException {
        Path file = dir.resolve("row.png");
        ImageGrid.write(Nd4j.zeros(DataType.FLOAT, 5, 1, 4, 4), file, 5);
        assertArrayEquals(new long[] {1, 1, 8, 32}, ImageGrid.read(file).shape());
    }

    @Test
    void refusesWhatIsNotABatchOfImages() {
        Path file = dir.resolve("bad.png");
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(Nd4j.zeros(DataType.FLOAT, 0, 1, 4, 4), file));
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(Nd4j.zeros(DataType.FLOAT, 1, 4, 4), file));
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(Nd4j.zeros(DataType.FLOAT, 2, 2, 4, 4), file));
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(Nd4j.zeros(DataType.FLOAT, 2, 1, 4, 4), file, 0));
    }
}
