package org.qat4j.framework.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.annotation.JsonAlias;
import org.qat4j.framework.recipe.TestScore;

/**
 * Where a run stands, saved next to the model in every checkpoint: the recipe and every hyperparameter value, the
 * next position (epoch and batch inside the epoch; the data order is a function of seed and epoch), the iteration
 * count, the best evaluation so far and the per-epoch history (with the training time of each epoch). JSON
 * (Jackson bean), never Java serialization.
 */
public class CheckpointState {

    /** One finished epoch. */
    public static class EpochRecord {
        public int epoch;
        public double trainLoss;
        /** The recipe's test metric after the epoch ({@link CheckpointState#metric()}). */
        @JsonAlias("testAccuracy")
        public double testScore;
        /** Share of the epoch's training examples the model classified right as it trained on them, or NaN. */
        public double trainAccuracy = Double.NaN;
        /** Wall time of the epoch's training steps (data and fit, not evaluation), summed over resumes. */
        public double trainSeconds;

        public EpochRecord() {
        }

        public EpochRecord(int epoch, double trainLoss, double trainAccuracy, double testScore,
                double trainSeconds) {
            this.epoch = epoch;
            this.trainLoss = trainLoss;
            this.trainAccuracy = trainAccuracy;
            this.testScore = testScore;
            this.trainSeconds = trainSeconds;
        }
    }

    public int formatVersion = 1;
    public String recipe;
    /** The qat4j build that started the run ({@link org.qat4j.framework.Version}); null in older checkpoints. */
    public String qat4j;
    /** What the run trains and tests on ({@link org.qat4j.framework.data.LabeledImages#fingerprint()}, sizes, source). */
    public String trainData;
    public String testData;
    public String dataDescription;
    public Map<String, String> hyperparameters = new LinkedHashMap<>();
    /** {@link org.qat4j.framework.recipe.Recipe#derivedState()} of the run (a vocabulary); empty for most recipes. */
    public Map<String, String> derivedState = new LinkedHashMap<>();
    /** {@code params sha256} of the teacher a distilled run learns from; null for other runs. */
    public String teacherParams;
    public int epoch;
    public int batch;
    public long iteration;
    /**
     * What the recipe's {@link org.qat4j.framework.recipe.TestScore} measures, and in which direction it improves;
     * null in checkpoints written before recipes had other metrics than test accuracy.
     */
    public String metric;
    public boolean higherIsBetter = true;
    /** The best test score so far (NaN before the first evaluation). */
    @JsonAlias("bestAccuracy")
    public double bestScore = Double.NaN;
    public String bestCheckpoint;
    public List<EpochRecord> history = new ArrayList<>();
    public double epochLossSum;
    public int epochLossCount;
    public double epochSeconds;
    public long epochCorrect;
    public long epochSeen;

    /** The test metric's name; test accuracy for checkpoints that do not record one. */
    public String metric() {
        return metric == null ? TestScore.ACCURACY : metric;
    }

    /**
     * What makes this state impossible for a run, or null: a state.json is input like any other (edited by hand,
     * written by another tool), and its position decides which batches train next.
     */
    String problem() {
        if (formatVersion != 1) {
            return "unsupported checkpoint format " + formatVersion;
        }
        if (recipe == null || hyperparameters == null || history == null || derivedState == null) {
            return "recipe, hyperparameters, derived state or history missing";
        }
        if (epoch < 0 || batch < 0 || iteration < 0 || epochLossCount < 0 || epochSeen < 0 || epochCorrect < 0
                || epochCorrect > epochSeen) {
            return "negative position or counts";
        }
        if (history.size() != epoch || history.contains(null)) {
            return "a history of " + history.size() + " epochs at epoch " + epoch;
        }
        if (bestCheckpoint != null && !bestCheckpoint.matches("ckpt-\\d{12}")) {
            return "best checkpoint '" + bestCheckpoint + "' is not a checkpoint name";
        }
        return null;
    }

    /**
     * Accounts one finished training step: the position moves to the next batch and the epoch's running sums grow;
     * {@code correct} is negative when the model's training accuracy is not available.
     */
    void step(double loss, long correct, int examples, double seconds) {
        iteration++;
        batch++;
        epochLossSum += loss;
        epochLossCount++;
        epochSeconds += seconds;
        if (correct >= 0) {
            epochCorrect += correct;
            epochSeen += examples;
        }
    }

    /** Closes the epoch after its evaluation: records it, moves to the next epoch's start, clears the sums. */
    EpochRecord closeEpoch(double testScore) {
        EpochRecord r = new EpochRecord(epoch, epochLossSum / Math.max(1, epochLossCount),
                epochSeen == 0 ? Double.NaN : epochCorrect / (double) epochSeen, testScore, epochSeconds);
        history.add(r);
        epoch++;
        batch = 0;
        epochLossSum = 0;
        epochLossCount = 0;
        epochSeconds = 0;
        epochCorrect = 0;
        epochSeen = 0;
        return r;
    }
}
