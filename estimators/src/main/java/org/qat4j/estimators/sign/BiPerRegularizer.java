package org.qat4j.estimators.sign;

import org.qat4j.estimators.BeanConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;

/**
 * The BiPer regulariser, pulling latent weights towards the peaks of the periodic function.
 * <pre>
 *   L_reg      = tau * mean(sin^2(w0 W))
 *   dL_reg/dW  = tau * w0 * sin(2 w0 W) / N
 * </pre>
 * {@code tau} follows {@link org.qat4j.estimators.schedule.BiPerTauSchedule} (or any ISchedule) when one is set.
 * It is a DL4J {@link Regularization}: give it to a layer's weights ({@code .regularization(List.of(reg))}) and the
 * updater adds its gradient before each update, with tau evaluated at the current epoch and iteration; the mean is
 * taken per weight tensor (qat4j's reading of "over binary layers").
 */
public class BiPerRegularizer extends BeanConfig implements Regularization {

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

    private double tauAt(int iteration, int epoch) {
        return tauSchedule == null ? tau : tauSchedule.valueAt(iteration, epoch);
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        double t = tauAt(iteration, epoch);
        gradView.addi(Transforms.sin(param.mul(2.0 * w0), false).muli(t * w0 / param.length()));
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        INDArray s = Transforms.sin(param.mul(w0), false);
        return tauAt(iteration, epoch) * s.muli(s).meanNumber().doubleValue();
    }

    @Override
    public BiPerRegularizer clone() {
        BiPerRegularizer c = new BiPerRegularizer(w0, tau);
        c.setTauSchedule(tauSchedule == null ? null : tauSchedule.clone());
        return c;
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
