package org.qat4j.framework.infer;

import java.util.stream.IntStream;
import org.qat4j.framework.export.Q4jModel;

/**
 * Average pooling without padding on NCHW floats:
 * <pre>
 *   y[n, c, i, j] = (sum over ky, then kx, of x[n, c, i sH + ky, j sW + kx]) / (kH kW)
 * </pre>
 * summed in that order and divided, which gives libnd4j's {@code avgpool2d} bit for bit (checked against the op
 * in the tests). Only for windows whose area is a power of two, where dividing and multiplying by the reciprocal
 * agree, so the result does not hang on which of the two the native op uses.
 */
final class JavaAvgPool {

    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;

    JavaAvgPool(int[] kernel, int[] stride) {
        this.kh = kernel[0];
        this.kw = kernel[1];
        this.sh = stride[0];
        this.sw = stride[1];
    }

    static boolean handles(Q4jModel.Op op) {
        int[] k = op.ints("kernel");
        int[] p = op.ints("padding");
        int[] d = op.ints("dilation");
        int area = k[0] * k[1];
        return "avg".equals(op.text("type")) && !op.node().path("same").asBoolean() && p[0] == 0 && p[1] == 0
                && d[0] == 1 && d[1] == 1 && Integer.bitCount(area) == 1;
    }

    int[] outShape(int[] in) {
        return new int[] {in[0], in[1], (in[2] - kh) / sh + 1, (in[3] - kw) / sw + 1};
    }

    float[] apply(float[] x, int[] shape) {
        int[] o = outShape(shape);
        int h = shape[2];
        int w = shape[3];
        int oh = o[2];
        int ow = o[3];
        float area = kh * kw;
        float[] out = new float[o[0] * o[1] * oh * ow];
        IntStream.range(0, o[0] * o[1]).parallel().forEach(p -> {
            int src = p * h * w;
            int dst = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float sum = 0f;
                    for (int ky = 0; ky < kh; ky++) {
                        int row = src + (i * sh + ky) * w + j * sw;
                        for (int kx = 0; kx < kw; kx++) {
                            sum += x[row + kx];
                        }
                    }
                    out[dst + i * ow + j] = sum / area;
                }
            }
        });
        return out;
    }
}
