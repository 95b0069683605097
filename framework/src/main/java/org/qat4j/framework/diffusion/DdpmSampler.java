package org.qat4j.framework.diffusion;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ancestral sampling of DDPM (Algorithm 2 of Ho et al. 2020) over all T timesteps, t = T-1 down to 0 (0-based, as
 * in {@link NoiseSchedule}):
 * <pre>
 *   x_{t-1} = 1 / sqrt(alpha[t]) (x_t - beta[t] / sqrt(1 - alphaBar[t]) eps_theta(x_t, t)) + sigma[t] z,  z ~ N(0, I)
 * </pre>
 * with no noise after the last step (t = 0). With {@link #clipDenoised()} the mean is instead the posterior mean of
 * q(x_{t-1} | x_t, x_0) at the clipped denoised estimate x0 ({@link DiffusionSampler}):
 * <pre>
 *   mean = sqrt(alphaBar[t-1]) beta[t] / (1 - alphaBar[t]) x0
 *        + sqrt(alpha[t]) (1 - alphaBar[t-1]) / (1 - alphaBar[t]) x_t
 * </pre>
 * which equals the first form when nothing is clipped (alphaBar[-1] = 1). The variance is {@link Variance#BETA}
 * ({@code sigma^2 = beta[t]}, default) or {@link Variance#POSTERIOR}
 * ({@code sigma^2 = (1 - alphaBar[t-1]) / (1 - alphaBar[t]) beta[t]}), the two bounds of the paper.
 */
public final class DdpmSampler extends DiffusionSampler {

    /** The variance sigma^2 of each step's noise. */
    public enum Variance {
        /** beta[t], the upper bound, right for data ~ N(0, I). */
        BETA,
        /** The posterior variance of q(x_{t-1} | x_t, x_0), the lower bound, right for a single data point. */
        POSTERIOR
    }

    private final Variance variance;

    private DdpmSampler(Builder builder) {
        super(builder);
        this.variance = builder.variance;
    }

    public static Builder builder(NoiseSchedule schedule) {
        return new Builder(schedule);
    }

    public Variance variance() {
        return variance;
    }

    /** T-1, T-2, ..., 0. */
    @Override
    public int[] timesteps() {
        int[] ts = new int[schedule().timesteps()];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = ts.length - 1 - i;
        }
        return ts;
    }

    @Override
    protected INDArray step(INDArray xt, int t, int tPrev, INDArray eps, Supplier<INDArray> noise) {
        NoiseSchedule s = schedule();
        double beta = s.beta(t);
        double ab = s.alphaBar(t);
        double abPrev = alphaBar(tPrev);
        INDArray mean;
        if (clipDenoised()) {
            double onX0 = Math.sqrt(abPrev) * beta / (1 - ab);
            double onXt = Math.sqrt(s.alpha(t)) * (1 - abPrev) / (1 - ab);
            mean = denoised(xt, t, eps).muli(onX0).addi(xt.mul(onXt));
        } else {
            mean = xt.sub(eps.mul(beta / Math.sqrt(1 - ab))).divi(Math.sqrt(s.alpha(t)));
        }
        if (tPrev < 0) {
            return mean;
        }
        double var = variance == Variance.BETA ? beta : (1 - abPrev) / (1 - ab) * beta;
        return mean.addi(noise.get().muli(Math.sqrt(var)));
    }

    public static final class Builder extends DiffusionSampler.Builder<Builder> {

        private Variance variance = Variance.BETA;

        private Builder(NoiseSchedule schedule) {
            super(schedule);
        }

        public Builder variance(Variance v) {
            if (v == null) {
                throw new IllegalArgumentException("variance must be BETA or POSTERIOR, got null");
            }
            this.variance = v;
            return this;
        }

        @Override
        public DdpmSampler build() {
            return new DdpmSampler(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
