package org.qat4j.estimators.fp;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.BeanConfig;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.schedule.LinearRampSchedule;

/**
 * AdaRound's rounding regulariser on the rounding variables V of {@link LearnedRoundingQuantizer}, pushing every
 * soft rounding decision {@code h(V)} ({@link RectifiedSigmoid}) to 0 or 1.
 * <pre>
 *   L_round   = lambda sum_i (1 - |2 h(V_i) - 1|^beta)
 *   dL/dV_i   = -2 lambda beta sign(2 h_i - 1) |2 h_i - 1|^(beta - 1) h'(V_i)
 * </pre>
 * {@code beta} follows {@code betaSchedule} (AdaRound: {@link LinearRampSchedule} 20 -&gt; 2 over the training
 * iterations) or is fixed when none is set; beta &gt;= 1 keeps the gradient finite at h = 1/2. From iteration
 * {@code hardenAt} on (0 = never) the quantizer rounds with the hard {@code h = 1{V >= 0}}, for which
 * {@code |2h - 1| = 1}: the regulariser is then exactly 0, score and gradient.
 *
 * <p>It is a DL4J {@link Regularization} applied before the updater, as L2 regularisation is: the updater receives
 * {@code dL/dV + dL_round/dV}, and the network's score includes {@code L_round}, both evaluated at the updater's
 * iteration and epoch. {@link LearnedRoundingQuantizer#regularization(String)} declares it for V, and the qat4j
 * layers pass it on as the regularisation of their {@code wqV} parameter.
 */
public class RoundingRegularizer extends BeanConfig implements Regularization {

    private double lambda = 0.01;
    private double beta = 20.0;
    private ISchedule betaSchedule;
    private int hardenAt;

    public RoundingRegularizer() {
    }

    /** AdaRound's setting: beta annealed linearly from 20 to 2 over {@code iterations}, never hardened here. */
    public RoundingRegularizer(double lambda, int iterations) {
        this(lambda, new LinearRampSchedule(20.0, 2.0, iterations));
    }

    public RoundingRegularizer(double lambda, ISchedule betaSchedule) {
        setLambda(lambda);
        setBetaSchedule(betaSchedule);
    }

    public double getLambda() {
        return lambda;
    }

    public void setLambda(double lambda) {
        this.lambda = Check.nonNegative("lambda", lambda);
    }

    /** The exponent used when no schedule is set. */
    public double getBeta() {
        return beta;
    }

    public void setBeta(double beta) {
        this.beta = checkBeta(beta);
    }

    public ISchedule getBetaSchedule() {
        return betaSchedule;
    }

    public void setBetaSchedule(ISchedule betaSchedule) {
        this.betaSchedule = betaSchedule;
    }

    /** The iteration from which rounding is hard and the regulariser vanishes; 0 or negative: never. */
    public int getHardenAt() {
        return hardenAt;
    }

    public void setHardenAt(int hardenAt) {
        this.hardenAt = hardenAt;
    }

    static double checkBeta(double beta) {
        if (!(beta >= 1) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite number >= 1 (got " + beta + ")");
        }
        return beta;
    }

    /** beta at this point of training. */
    public double betaAt(int iteration, int epoch) {
        return betaSchedule == null ? beta : checkBeta(betaSchedule.valueAt(iteration, epoch));
    }

    /** Whether rounding is hard at this iteration. */
    public boolean hardAt(int iteration) {
        return hardenAt > 0 && iteration >= hardenAt;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        if (hardAt(iteration)) {
            return;
        }
        double b = betaAt(iteration, epoch);
        INDArray c = RectifiedSigmoid.value(param).muli(2.0).subi(1.0);
        INDArray slope = Transforms.pow(Transforms.abs(c, true), b - 1.0, false).muli(Transforms.sign(c, false));
        gradView.addi(slope.muli(RectifiedSigmoid.derivative(param)).muli(-2.0 * lambda * b));
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        if (hardAt(iteration)) {
            return 0.0;
        }
        INDArray c = Transforms.abs(RectifiedSigmoid.value(param).muli(2.0).subi(1.0), false);
        return lambda * Transforms.pow(c, betaAt(iteration, epoch), false).rsubi(1.0).sumNumber().doubleValue();
    }

    @Override
    public RoundingRegularizer clone() {
        RoundingRegularizer c = new RoundingRegularizer();
        c.setLambda(lambda);
        c.setBeta(beta);
        c.setBetaSchedule(betaSchedule == null ? null : betaSchedule.clone());
        c.setHardenAt(hardenAt);
        return c;
    }
}
