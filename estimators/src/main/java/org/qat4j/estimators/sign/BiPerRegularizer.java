package org.qat4j.estimators.sign;

import org.qat4j.estimators.BeanConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;

/**
 * The BiPer regulariser, pulling latent weights towards the peaks of the periodic function.
 * <pre>
 *   L_reg      = tau * mean(sin^2(w0 W))
 *   dL_reg/dW  = tau * w0 * sin(2 w0 W) / N
 * </pre>
 * {@code tau} follows {@link org.qat4j.estimators.schedule.BiPerTauSchedule} when a schedule is set.
 */
public class BiPerRegularizer extends BeanConfig {

    private double w0 = 20.0;
    private double tau = 0.037;
    private ISchedule tauSchedule;

    public BiPerRegularizer() {
    }

    public BiPerRegularizer(double w0, double tau) {
        setW0(w0);
        setTau(tau);
    }

    public double getW0() {
        return w0;
    }

    public void setW0(double w0) {
        this.w0 = Check.finitePositive("w0", w0);
    }

    public double getTau() {
        return tau;
    }

    public void setTau(double tau) {
        this.tau = Check.nonNegative("tau", tau);
    }

    public ISchedule getTauSchedule() {
        return tauSchedule;
    }

    public void setTauSchedule(ISchedule tauSchedule) {
        this.tauSchedule = tauSchedule;
    }

    public void onProgress(int epoch, int iteration) {
        if (tauSchedule != null) {
            setTau(tauSchedule.valueAt(iteration, epoch));
        }
    }

    public double value(INDArray w) {
        INDArray s = Transforms.sin(w.mul(w0), false);
        return tau * s.muli(s).meanNumber().doubleValue();
    }

    public INDArray gradient(INDArray w) {
        return Transforms.sin(w.mul(2.0 * w0), false).muli(tau * w0 / w.length());
    }
}
