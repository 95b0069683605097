package org.qat4j.framework.diffusion;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DDIM sampling (Song et al. 2021, eq. 12) on a sub-sequence of {@code steps} timesteps spaced evenly with stride
 * {@code c = floor(T / steps)}: {@code t_i = i c} for i = steps-1 down to 0 (T = 1000, 50 steps: 980, 960, ..., 0;
 * the "leading" spacing). From t to the next timestep tPrev (-1 after t = 0, alphaBar[-1] = 1):
 * <pre>
 *   x0      = (x_t - sqrt(1 - alphaBar[t]) eps) / sqrt(alphaBar[t])
 *   sigma   = eta sqrt((1 - alphaBar[tPrev]) / (1 - alphaBar[t])) sqrt(1 - alphaBar[t] / alphaBar[tPrev])
 *   x_tPrev = sqrt(alphaBar[tPrev]) x0 + sqrt(1 - alphaBar[tPrev] - sigma^2) eps + sigma z,  z ~ N(0, I)
 * </pre>
 * eta = 0 is deterministic given x_T; eta = 1 with steps = T is DDPM with the posterior variance. With
 * {@link #clipDenoised()} x0 is clipped to [-1, 1] and eps replaced by the noise that goes with it,
 * {@code (x_t - sqrt(alphaBar[t]) x0) / sqrt(1 - alphaBar[t])}, so that x_tPrev is the same combination of the
 * clipped x0 and x_t as DDPM's posterior mean (the two coincide at eta = 1, steps = T).
 */
public final class DdimSampler extends DiffusionSampler {

    private final int steps;
    private final double eta;

    private DdimSampler(Builder builder) {
        super(builder);
        this.steps = builder.steps;
        this.eta = builder.eta;
    }

    public static Builder builder(NoiseSchedule schedule) {
        return new Builder(schedule);
    }

    public int steps() {
        return steps;
    }

    public double eta() {
        return eta;
    }

    /** (steps-1) c, ..., c, 0 with c = floor(T / steps). */
    @Override
    public int[] timesteps() {
        int stride = schedule().timesteps() / steps;
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = (steps - 1 - i) * stride;
        }
        return ts;
    }

    @Override
    protected INDArray step(INDArray xt, int t, int tPrev, INDArray eps, Supplier<INDArray> noise) {
        double ab = alphaBar(t);
        double abPrev = alphaBar(tPrev);
        INDArray x0 = denoised(xt, t, eps);
        INDArray direction = clipDenoised() ? xt.sub(x0.mul(Math.sqrt(ab))).divi(Math.sqrt(1 - ab)) : eps;
        double sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab) * (1 - ab / abPrev));
        INDArray next = x0.muli(Math.sqrt(abPrev))
                .addi(direction.mul(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))));
        return sigma > 0 ? next.addi(noise.get().muli(sigma)) : next;
    }

    public static final class Builder extends DiffusionSampler.Builder<Builder> {

        private int steps = 50;
        private double eta;

        private Builder(NoiseSchedule schedule) {
            super(schedule);
        }

        /** Timesteps visited, 1 to T (default 50). */
        public Builder steps(int n) {
            if (n < 1 || n > schedule().timesteps()) {
                throw new IllegalArgumentException(
                        "DDIM steps must lie in [1, " + schedule().timesteps() + "], got " + n);
            }
            this.steps = n;
            return this;
        }

        /** Noise scale in [0, 1]: 0 deterministic (default), 1 the DDPM-like variance. */
        public Builder eta(double e) {
            if (!(e >= 0 && e <= 1)) {
                throw new IllegalArgumentException("DDIM eta must lie in [0, 1], got " + e);
            }
            this.eta = e;
            return this;
        }

        @Override
        public DdimSampler build() {
            if (steps > schedule().timesteps()) {
                throw new IllegalArgumentException(
                        "DDIM steps must lie in [1, " + schedule().timesteps() + "], got " + steps);
            }
            return new DdimSampler(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
