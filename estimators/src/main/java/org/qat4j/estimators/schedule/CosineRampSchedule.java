package org.qat4j.estimators.schedule;

import org.qat4j.estimators.BeanConfig;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;

/**
 * A ramp over epochs with a cosine start (ReSTE's exponent schedule).
 * <pre>
 *   v(e) = from + (to - from) * (1 - cos(pi/2 * e / E)),   e = 0..E-1 (held at e = E beyond)
 * </pre>
 */
public class CosineRampSchedule extends BeanConfig implements ISchedule {

    private double from;
    private double to;
    private int totalEpochs;

    public CosineRampSchedule() {
    }

    public CosineRampSchedule(double from, double to, int totalEpochs) {
        this.from = from;
        this.to = to;
        setTotalEpochs(totalEpochs);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double frac = Math.min(epoch, totalEpochs) / (double) totalEpochs;
        return from + (to - from) * (1.0 - Math.cos(Math.PI / 2.0 * frac));
    }

    @Override
    public ISchedule clone() {
        return new CosineRampSchedule(from, to, totalEpochs);
    }

    public double getFrom() {
        return from;
    }

    public void setFrom(double from) {
        this.from = from;
    }

    public double getTo() {
        return to;
    }

    public void setTo(double to) {
        this.to = to;
    }

    public int getTotalEpochs() {
        return totalEpochs;
    }

    public void setTotalEpochs(int totalEpochs) {
        this.totalEpochs = Check.inRange("totalEpochs", totalEpochs, 1, Integer.MAX_VALUE);
    }
}
