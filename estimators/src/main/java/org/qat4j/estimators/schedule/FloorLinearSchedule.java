package org.qat4j.estimators.schedule;

import org.qat4j.estimators.BeanConfig;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;

/**
 * An integer-valued linear ramp over epochs (FDA's number of Fourier terms, {@code n = 9 + floor(9 e / E)}).
 * <pre>
 *   v(e) = start + floor(increase * e / E)
 * </pre>
 */
public class FloorLinearSchedule extends BeanConfig implements ISchedule {

    private double start;
    private double increase;
    private int totalEpochs;

    public FloorLinearSchedule() {
    }

    public FloorLinearSchedule(double start, double increase, int totalEpochs) {
        this.start = start;
        this.increase = increase;
        setTotalEpochs(totalEpochs);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return start + Math.floor(increase * epoch / totalEpochs);
    }

    @Override
    public ISchedule clone() {
        return new FloorLinearSchedule(start, increase, totalEpochs);
    }

    public double getStart() {
        return start;
    }

    public void setStart(double start) {
        this.start = start;
    }

    public double getIncrease() {
        return increase;
    }

    public void setIncrease(double increase) {
        this.increase = increase;
    }

    public int getTotalEpochs() {
        return totalEpochs;
    }

    public void setTotalEpochs(int totalEpochs) {
        this.totalEpochs = Check.inRange("totalEpochs", totalEpochs, 1, Integer.MAX_VALUE);
    }
}
