package org.qat4j.estimators.schedule;

import org.qat4j.estimators.BeanConfig;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;

/**
 * A linear ramp over iterations, held at {@code to} afterwards (AdaRound's beta annealing, 20 -&gt; 2).
 * <pre>
 *   v(i) = from + (to - from) * min(i, I) / I
 * </pre>
 */
public class LinearRampSchedule extends BeanConfig implements ISchedule {

    private double from;
    private double to;
    private int iterations;

    public LinearRampSchedule() {
    }

    public LinearRampSchedule(double from, double to, int iterations) {
        this.from = from;
        this.to = to;
        setIterations(iterations);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return from + (to - from) * Math.min(iteration, iterations) / iterations;
    }

    @Override
    public ISchedule clone() {
        return new LinearRampSchedule(from, to, iterations);
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

    public int getIterations() {
        return iterations;
    }

    public void setIterations(int iterations) {
        this.iterations = Check.inRange("iterations", iterations, 1, Integer.MAX_VALUE);
    }
}
