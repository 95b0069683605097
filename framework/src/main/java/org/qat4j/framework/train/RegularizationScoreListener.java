package org.qat4j.framework.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * The regularization penalty DL4J added to the last step's score, {@code score = loss + R(theta)}, read between the
 * gradient and the update: the parameters then are those the score saw, after the forward pass's data-dependent
 * initialisations (a learned rounding's V, which before its first forward makes {@code R} maximal) and at the
 * step's iteration, which schedules of {@code R} (annealed rounding) depend on.
 */
final class RegularizationScoreListener extends BaseTrainingListener {

    private double penalty;

    @Override
    public void onGradientCalculation(Model model) {
        penalty = model instanceof ComputationGraph cg ? cg.calcRegularizationScore(true) : 0.0;
    }

    /** {@code R(theta)} of the last step. */
    double penalty() {
        return penalty;
    }
}
