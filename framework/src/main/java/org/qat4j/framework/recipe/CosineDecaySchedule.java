package org.qat4j.framework.recipe;

import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.BeanConfig;

/**
 * Cosine learning-rate decay over iterations (SGDR without restarts), the schedule of the binary-network papers.
 * <pre>
 *   lr(i) = lr0 * (1 + cos(pi * min(i, I) / I)) / 2
 * </pre>
 */
public class CosineDecaySchedule extends BeanConfig implements ISchedule {

    private double initial;
    private int totalIterations;

    public CosineDecaySchedule() {
    }

    public CosineDecaySchedule(double initial, int totalIterations) {
        this.initial = initial;
        this.totalIterations = Math.max(1, totalIterations);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double t = Math.min(iteration, totalIterations) / (double) totalIterations;
        return initial * (1 + Math.cos(Math.PI * t)) / 2;
    }

    @Override
    public ISchedule clone() {
        return new CosineDecaySchedule(initial, totalIterations);
    }

    public double getInitial() {
        return initial;
    }

    public void setInitial(double initial) {
        this.initial = initial;
    }

    public int getTotalIterations() {
        return totalIterations;
    }

    public void setTotalIterations(int totalIterations) {
        this.totalIterations = totalIterations;
    }
}
