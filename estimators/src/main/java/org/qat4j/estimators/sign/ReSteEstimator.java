package org.qat4j.estimators.sign;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;

/**
 * ReSTE, the rectified straight-through estimator: the power function {@code sign(x)|x|^(1/o)} as surrogate.
 * <pre>
 *   forward   q = sign(x)
 *   backward  dL/dx = g * (1/o) |x|^((1-o)/o)      d &lt; |x| &lt;= t
 *                     g * d^(1/o) / d               |x| &lt;= d      (secant slope: no singularity at 0)
 *                     0                             |x| &gt; t
 *   F(x)      = x d^(1/o)/d on |x| &lt;= d;  sign(x) min(|x|, t)^(1/o) elsewhere
 * </pre>
 * The exponent o is usually scheduled from 1 to 3 with {@link org.qat4j.estimators.schedule.CosineRampSchedule};
 * at o = 1 this is the clipped STE with threshold t.
 */
public class ReSteEstimator extends SignEstimator {

    private double o = 1.0;
    private double threshold = 1.5;
    private double interval = 0.1;
    private ISchedule oSchedule;

    public ReSteEstimator() {
    }

    public ReSteEstimator(double o, double threshold, double interval) {
        setO(o);
        setThreshold(threshold);
        setInterval(interval);
        if (interval > threshold) {
            throw new IllegalArgumentException("d must be in (0, t] = (0, " + threshold + "] (got " + interval + ")");
        }
    }

    /** ReSTE with the paper's exponent schedule {@code o: 1 -> oEnd} (cosine ramp over the given number of epochs). */
    public static ReSteEstimator scheduled(double oEnd, int totalEpochs) {
        ReSteEstimator e = new ReSteEstimator();
        e.setOSchedule(new org.qat4j.estimators.schedule.CosineRampSchedule(1.0, oEnd, totalEpochs));
        return e;
    }

    public double getO() {
        return o;
    }

    public void setO(double o) {
        this.o = Check.finitePositive("o", o);
    }

    public double getThreshold() {
        return threshold;
    }

    public void setThreshold(double threshold) {
        this.threshold = Check.finitePositive("t", threshold);
    }

    public double getInterval() {
        return interval;
    }

    public void setInterval(double interval) {
        this.interval = Check.finitePositive("d", interval);
    }

    public ISchedule getOSchedule() {
        return oSchedule;
    }

    public void setOSchedule(ISchedule oSchedule) {
        this.oSchedule = oSchedule;
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        if (oSchedule != null) {
            setO(oSchedule.valueAt(iteration, epoch));
        }
    }

    @Override
    public INDArray derivative(INDArray x) {
        double exponent = (1.0 - o) / o;
        double secant = Math.pow(interval, exponent);
        INDArray a = Transforms.abs(x, true);
        INDArray nearZero = Nd.absAtMost(a, interval);
        INDArray power = Transforms.pow(Transforms.max(a, interval, true), exponent, false).muli(1.0 / o);
        INDArray d = power.muli(nearZero.rsub(1.0)).addi(nearZero.muli(secant));
        return d.muli(Nd.absAtMost(a, threshold));
    }

    @Override
    public INDArray surrogate(INDArray x) {
        double secant = Math.pow(interval, (1.0 - o) / o);
        INDArray a = Transforms.abs(x, true);
        INDArray nearZero = Nd.absAtMost(a, interval);
        INDArray power = Transforms.pow(Transforms.min(a, threshold, true), 1.0 / o, false);
        INDArray magnitude = power.muli(nearZero.rsub(1.0)).addi(a.mul(secant).muli(nearZero));
        return magnitude.muli(Nd.sign(x));
    }
}
