package org.qat4j.estimators.schedule;

import org.qat4j.estimators.BeanConfig;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;

/**
 * BiPer's regulariser weight over epochs, an exponential from tauMin (e = 0) to tauMax (e = E).
 * <pre>
 *   tau(e) = A exp(e / E) + B,   A = (tauMax - tauMin) / (exp(1) - 1),   B = tauMin - A
 * </pre>
 */
public class BiPerTauSchedule extends BeanConfig implements ISchedule {

    private double tauMin;
    private double tauMax;
    private int totalEpochs;

    public BiPerTauSchedule() {
    }

    public BiPerTauSchedule(double tauMin, double tauMax, int totalEpochs) {
        setTauMin(tauMin);
        setTauMax(tauMax);
        setTotalEpochs(totalEpochs);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double a = (tauMax - tauMin) / (Math.E - 1.0);
        double b = tauMin - a;
        return a * Math.exp(epoch / (double) totalEpochs) + b;
    }

    @Override
    public ISchedule clone() {
        return new BiPerTauSchedule(tauMin, tauMax, totalEpochs);
    }

    public double getTauMin() {
        return tauMin;
    }

    public void setTauMin(double tauMin) {
        this.tauMin = Check.nonNegative("tauMin", tauMin);
    }

    public double getTauMax() {
        return tauMax;
    }

    public void setTauMax(double tauMax) {
        this.tauMax = Check.nonNegative("tauMax", tauMax);
    }

    public int getTotalEpochs() {
        return totalEpochs;
    }

    public void setTotalEpochs(int totalEpochs) {
        this.totalEpochs = Check.inRange("totalEpochs", totalEpochs, 1, Integer.MAX_VALUE);
    }
}
