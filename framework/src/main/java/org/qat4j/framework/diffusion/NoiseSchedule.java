package org.qat4j.framework.diffusion;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward (noising) process of DDPM (Ho et al. 2020) with linearly spaced betas. Timesteps are 0-based: index
 * {@code t} in {@code [0, T)} is the paper's step {@code t + 1}, so
 * <pre>
 *   beta[t]     = betaStart + (betaEnd - betaStart) t / (T - 1)      (beta[0] = beta_1, beta[T-1] = beta_T)
 *   alpha[t]    = 1 - beta[t]
 *   alphaBar[t] = alpha[0] alpha[1] ... alpha[t]                      (alphaBar[0] = 1 - beta_1)
 *   x_t         = sqrt(alphaBar[t]) x_0 + sqrt(1 - alphaBar[t]) eps,  eps ~ N(0, I)
 * </pre>
 * and the samplers treat {@code t = -1} as the clean image ({@code alphaBar = 1}). The products are taken in double:
 * in float, {@code alphaBar[T-1]} (about 4e-5 for the default schedule) would carry the rounding of 1000 factors.
 */
public final class NoiseSchedule {

    private final double[] beta;
    private final double[] alphaBar;

    private NoiseSchedule(double[] beta) {
        this.beta = beta;
        this.alphaBar = new double[beta.length];
        double product = 1;
        for (int t = 0; t < beta.length; t++) {
            product *= 1 - beta[t];
            alphaBar[t] = product;
        }
    }

    /** The schedule of the DDPM paper: T = 1000, beta from 1e-4 to 0.02. */
    public static NoiseSchedule linear() {
        return linear(1000, 1e-4, 0.02);
    }

    /** {@code timesteps} betas spaced evenly from {@code betaStart} to {@code betaEnd} (one step: betaStart). */
    public static NoiseSchedule linear(int timesteps, double betaStart, double betaEnd) {
        if (timesteps < 1) {
            throw new IllegalArgumentException("a noise schedule needs at least one timestep, got " + timesteps);
        }
        if (!(betaStart > 0 && betaStart < 1 && betaEnd > 0 && betaEnd < 1)) {
            throw new IllegalArgumentException(
                    "betas must lie in (0, 1), got betaStart " + betaStart + " and betaEnd " + betaEnd);
        }
        double[] beta = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            beta[t] = timesteps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * t / (timesteps - 1);
        }
        return new NoiseSchedule(beta);
    }

    /** T, the number of noising steps; valid indices are 0 to T - 1. */
    public int timesteps() {
        return beta.length;
    }

    public double beta(int t) {
        return beta[checked(t)];
    }

    public double alpha(int t) {
        return 1 - beta[checked(t)];
    }

    public double alphaBar(int t) {
        return alphaBar[checked(t)];
    }

    /**
     * {@code x_t = sqrt(alphaBar[t_i]) x0_i + sqrt(1 - alphaBar[t_i]) eps_i} for each sample i (first dimension) with
     * its own timestep; coefficients in double, the arithmetic in x0's data type.
     */
    public INDArray noisy(INDArray x0, int[] t, INDArray eps) {
        if (x0 == null || eps == null || t == null) {
            throw new IllegalArgumentException("noisy() needs x0, t and eps, got a null");
        }
        if (x0.rank() < 2 || !x0.dataType().isFPType()) {
            throw new IllegalArgumentException("x0 must be a floating-point [N, ...] array, got "
                    + x0.dataType() + " " + Arrays.toString(x0.shape()));
        }
        if (!Arrays.equals(x0.shape(), eps.shape())) {
            throw new IllegalArgumentException("eps " + Arrays.toString(eps.shape()) + " does not match x0 "
                    + Arrays.toString(x0.shape()));
        }
        int n = (int) x0.size(0);
        if (t.length != n) {
            throw new IllegalArgumentException(t.length + " timesteps for " + n + " samples");
        }
        double[] signal = new double[n];
        double[] noise = new double[n];
        for (int i = 0; i < n; i++) {
            signal[i] = Math.sqrt(alphaBar(t[i]));
            noise[i] = Math.sqrt(1 - alphaBar(t[i]));
        }
        DataType type = x0.dataType();
        long perSample = x0.length() / n;
        INDArray a = Nd4j.create(signal, new long[] {n, 1}, DataType.DOUBLE).castTo(type);
        INDArray b = Nd4j.create(noise, new long[] {n, 1}, DataType.DOUBLE).castTo(type);
        INDArray xt = x0.reshape('c', n, perSample).mulColumnVector(a);
        xt.addi(eps.castTo(type).reshape('c', n, perSample).mulColumnVector(b));
        return xt.reshape('c', x0.shape());
    }

    private int checked(int t) {
        if (t < 0 || t >= beta.length) {
            throw new IllegalArgumentException("timestep " + t + " outside [0, " + beta.length + ")");
        }
        return t;
    }
}
