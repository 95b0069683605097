package org.qat4j.framework.diffusion;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Standard normal noise for a run of samples, each sample drawing from a generator of its own: sample i's stream is
 * the i-th {@link SplittableRandom#split()} of {@code new SplittableRandom(seed)}, so what a sample gets depends on
 * the seed and its index only, not on the batch it is drawn in nor on how many samples are asked for.
 */
final class SampleNoise {

    private final SplittableRandom[] streams;
    private final long[] sampleShape;
    private final int perSample;

    SampleNoise(long seed, int samples, long[] sampleShape) {
        SplittableRandom root = new SplittableRandom(seed);
        this.streams = new SplittableRandom[samples];
        for (int i = 0; i < samples; i++) {
            streams[i] = root.split();
        }
        this.sampleShape = sampleShape.clone();
        long size = 1;
        for (long d : sampleShape) {
            size *= d;
        }
        this.perSample = Math.toIntExact(size);
    }

    /** The next draw of samples {@code from} to {@code to - 1}: a FLOAT [to - from, sampleShape...] array. */
    INDArray next(int from, int to) {
        float[] values = new float[Math.multiplyExact(to - from, perSample)];
        int k = 0;
        for (int i = from; i < to; i++) {
            SplittableRandom stream = streams[i];
            for (int j = 0; j < perSample; j++) {
                values[k++] = (float) stream.nextGaussian();
            }
        }
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = to - from;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return Nd4j.create(values, shape, DataType.FLOAT);
    }
}
