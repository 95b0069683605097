package org.qat4j.framework.diffusion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The reverse process shared by the samplers: start from {@code x = z ~ N(0, I)}, then for each timestep t of
 * {@link #timesteps()} (descending, ending at 0) ask the model for {@code eps = eps_theta(x, t)} and take one
 * {@link #step} to the next timestep {@code tPrev} ({@code -1} after the last, where {@code alphaBar = 1}). Samples
 * are FLOAT, drawn {@link #batchSize()} at a time; every sample's noise comes from a stream of its own
 * ({@link SampleNoise}), so the images depend on the seed and the sample's index only: the same seed gives the same
 * images bit for bit in any batching, provided the model treats samples independently.
 * <p>
 * The denoised estimate the steps use is {@code x0 = (x_t - sqrt(1 - alphaBar[t]) eps) / sqrt(alphaBar[t])},
 * clipped to [-1, 1] when {@link #clipDenoised()} (the default: the data lies there). The last step of both
 * samplers returns that estimate (its weight is 1, that of x_t 0, and no noise is added), so with clipping the
 * images lie in [-1, 1]; without, they are wherever the model takes them.
 */
public abstract class DiffusionSampler {

    private final NoiseSchedule schedule;
    private final boolean clipDenoised;
    private final int batchSize;

    protected DiffusionSampler(Builder<?> builder) {
        this.schedule = builder.schedule;
        this.clipDenoised = builder.clipDenoised;
        this.batchSize = builder.batchSize;
    }

    /** The timesteps visited, in the order visited; the last is 0. */
    public abstract int[] timesteps();

    /**
     * One reverse step from {@code x_t} to {@code x_tPrev}.
     *
     * @param noise draws the next N(0, I) array of the batch's streams; call it only for a step that adds noise
     */
    protected abstract INDArray step(INDArray xt, int t, int tPrev, INDArray eps, Supplier<INDArray> noise);

    /** {@link #sample(EpsilonModel, int, long[], long, IntConsumer)} without progress reports. */
    public INDArray sample(EpsilonModel model, int n, long[] shape, long seed) {
        return sample(model, n, shape, seed, done -> { });
    }

    /**
     * Draws {@code n} images.
     *
     * @param shape    one image's [C, H, W]
     * @param progress told the number of model evaluations done so far (up to {@link #totalSteps(int)}) after each
     * @return FLOAT [n, C, H, W]
     */
    public INDArray sample(EpsilonModel model, int n, long[] shape, long seed, IntConsumer progress) {
        if (model == null || progress == null) {
            throw new IllegalArgumentException("sampling needs a model and a progress callback, got a null");
        }
        if (n < 1) {
            throw new IllegalArgumentException("number of samples must be at least 1, got " + n);
        }
        if (shape == null || shape.length != 3 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("image shape must be positive [C, H, W], got " + Arrays.toString(shape));
        }
        int[] ts = timesteps();
        SampleNoise noise = new SampleNoise(seed, n, shape);
        List<INDArray> batches = new ArrayList<>();
        int done = 0;
        for (int start = 0; start < n; start += batchSize) {
            int from = start;
            int to = Math.min(n, start + batchSize);
            int[] t = new int[to - from];
            INDArray x = noise.next(from, to);
            for (int i = 0; i < ts.length; i++) {
                Arrays.fill(t, ts[i]);
                INDArray eps = model.predict(x, t);
                if (eps == null || !Arrays.equals(eps.shape(), x.shape())) {
                    throw new IllegalArgumentException("the model returned " + (eps == null ? "null" : Arrays.toString(
                            eps.shape())) + " for an input of shape " + Arrays.toString(x.shape()));
                }
                x = step(x, ts[i], i + 1 < ts.length ? ts[i + 1] : -1, eps.castTo(DataType.FLOAT),
                        () -> noise.next(from, to));
                progress.accept(++done);
            }
            batches.add(x);
        }
        return batches.size() == 1 ? batches.get(0) : Nd4j.concat(0, batches.toArray(new INDArray[0]));
    }

    /** Model evaluations {@link #sample} makes for n images: one per timestep per batch. */
    public int totalSteps(int n) {
        return (n + batchSize - 1) / batchSize * timesteps().length;
    }

    /** The denoised estimate of x_0 (class comment), a new array. */
    protected final INDArray denoised(INDArray xt, int t, INDArray eps) {
        double ab = schedule.alphaBar(t);
        INDArray x0 = xt.sub(eps.mul(Math.sqrt(1 - ab))).divi(Math.sqrt(ab));
        return clipDenoised ? Transforms.min(Transforms.max(x0, -1.0, false), 1.0, false) : x0;
    }

    /** alphaBar[t], and 1 at t = -1 (the clean image). */
    protected final double alphaBar(int t) {
        return t < 0 ? 1 : schedule.alphaBar(t);
    }

    public final NoiseSchedule schedule() {
        return schedule;
    }

    public final boolean clipDenoised() {
        return clipDenoised;
    }

    public final int batchSize() {
        return batchSize;
    }

    /** Settings common to the samplers; {@code B} is the concrete builder. */
    public abstract static class Builder<B extends Builder<B>> {

        private final NoiseSchedule schedule;
        private boolean clipDenoised = true;
        private int batchSize = 64;

        protected Builder(NoiseSchedule schedule) {
            if (schedule == null) {
                throw new IllegalArgumentException("a sampler needs a noise schedule, got null");
            }
            this.schedule = schedule;
        }

        protected final NoiseSchedule schedule() {
            return schedule;
        }

        /** Clip the denoised estimate to [-1, 1] at every step (default true). */
        public B clipDenoised(boolean clip) {
            this.clipDenoised = clip;
            return self();
        }

        /** Images per model evaluation (default 64). */
        public B batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + size);
            }
            this.batchSize = size;
            return self();
        }

        public abstract DiffusionSampler build();

        protected abstract B self();
    }
}
