package org.qat4j.framework.diffusion;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A PNG of images [N, C, H, W] (C = 1: 8-bit grey, C = 3: RGB) with values in [-1, 1], laid out row by row in a
 * grid of {@code columns} (default ceil(sqrt(N))) by ceil(N / columns) cells, with a black border of
 * {@value #BORDER} pixels around and between the cells (torchvision's make_grid layout). A value v becomes
 * {@code round((clip(v, -1, 1) + 1) 127.5)}, so -1 is black, 1 white; NaN is written as black.
 */
public final class ImageGrid {

    public static final int BORDER = 2;

    private ImageGrid() {
    }

    /** {@link #write(INDArray, Path, int)} with ceil(sqrt(N)) columns. */
    public static void write(INDArray images, Path file) throws IOException {
        checkImages(images);
        write(images, file, (int) Math.ceil(Math.sqrt(images.size(0))));
    }

    public static void write(INDArray images, Path file, int columns) throws IOException {
        checkImages(images);
        if (columns < 1) {
            throw new IllegalArgumentException("an image grid needs at least one column, got " + columns);
        }
        int n = (int) images.size(0);
        int c = (int) images.size(1);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        int rows = (n + columns - 1) / columns;
        BufferedImage png = new BufferedImage(columns * (w + BORDER) + BORDER, rows * (h + BORDER) + BORDER,
                c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        WritableRaster raster = png.getRaster();
        float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (int i = 0; i < n; i++) {
            int left = BORDER + (i % columns) * (w + BORDER);
            int top = BORDER + (i / columns) * (h + BORDER);
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * h * w;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        raster.setSample(left + x, top + y, ch, level(v[base + y * w + x]));
                    }
                }
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(png, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }

    /**
     * A PNG (such as a grid) as one FLOAT image [1, C, H, W] with C = 1 for grey and 3 otherwise (alpha dropped),
     * level p mapped back to {@code p / 127.5 - 1}.
     */
    public static INDArray read(Path file) throws IOException {
        BufferedImage png = ImageIO.read(file.toFile());
        if (png == null) {
            throw new IOException("not an image ImageIO can read: " + file);
        }
        int h = png.getHeight();
        int w = png.getWidth();
        boolean grey = png.getRaster().getNumBands() == 1;
        int c = grey ? 1 : 3;
        float[] v = new float[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (grey) {
                    v[y * w + x] = value(png.getRaster().getSample(x, y, 0));
                } else {
                    int rgb = png.getRGB(x, y);
                    for (int ch = 0; ch < 3; ch++) {
                        v[(ch * h + y) * w + x] = value((rgb >> (16 - 8 * ch)) & 0xFF);
                    }
                }
            }
        }
        return Nd4j.create(v, new long[] {1, c, h, w}, DataType.FLOAT);
    }

    private static int level(float v) {
        return Float.isNaN(v) ? 0 : Math.round((Math.max(-1f, Math.min(1f, v)) + 1) * 127.5f);
    }

    private static float value(int level) {
        return level / 127.5f - 1;
    }

    private static void checkImages(INDArray images) {
        if (images == null || images.rank() != 4 || images.size(0) == 0
                || (images.size(1) != 1 && images.size(1) != 3) || images.size(2) == 0 || images.size(3) == 0) {
            throw new IllegalArgumentException("an image grid needs images [N >= 1, 1 or 3, H >= 1, W >= 1], got "
                    + (images == null ? "null" : Arrays.toString(images.shape())));
        }
    }
}
