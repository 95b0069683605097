package org.qat4j.estimators.sign;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;

/**
 * FDA, frequency-domain approximation of sign (BiBench): the truncated Fourier series of a square wave.
 * <pre>
 *   forward   q = sign(x)
 *   backward  dL/dx = g * (4w/pi) * sum_{i=0..n} cos((2i+1) w x),   0 where |x| &gt; 1
 *   F(x)      = (4/pi) sum_{i=0..n} sin((2i+1) w x) / (2i+1),        F(+-1) beyond |x| = 1
 * </pre>
 * The number of terms grows during training, {@code n = 9 + floor(9 e / E)}: use
 * {@link org.qat4j.estimators.schedule.FloorLinearSchedule}.
 */
public class FdaEstimator extends SignEstimator {

    private double w = 0.1;
    private int n = 9;
    private ISchedule nSchedule;

    public FdaEstimator() {
    }

    public FdaEstimator(double w, int n) {
        setW(w);
        setN(n);
    }

    public double getW() {
        return w;
    }

    public void setW(double w) {
        this.w = Check.finitePositive("w", w);
    }

    public int getN() {
        return n;
    }

    public void setN(int n) {
        this.n = Check.inRange("n", n, 0, 1000);
    }

    public ISchedule getNSchedule() {
        return nSchedule;
    }

    public void setNSchedule(ISchedule nSchedule) {
        this.nSchedule = nSchedule;
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        if (nSchedule != null) {
            setN((int) Math.floor(nSchedule.valueAt(iteration, epoch)));
        }
    }

    @Override
    public INDArray derivative(INDArray x) {
        INDArray sum = x.ulike().assign(0.0);
        for (int i = 0; i <= n; i++) {
            sum.addi(Transforms.cos(x.mul((2 * i + 1) * w), false));
        }
        return sum.muli(4.0 * w / Math.PI).muli(Nd.absAtMost(x, 1.0));
    }

    @Override
    public INDArray surrogate(INDArray x) {
        INDArray clipped = Transforms.min(Transforms.max(x, -1.0, true), 1.0, false);
        INDArray sum = x.ulike().assign(0.0);
        for (int i = 0; i <= n; i++) {
            int k = 2 * i + 1;
            sum.addi(Transforms.sin(clipped.mul(k * w), false).divi(k));
        }
        return sum.muli(4.0 / Math.PI);
    }
}
