package org.qat4j.framework.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        public double testAccuracy;
        /** Share of the epoch's training examples the model classified right as it trained on them, or NaN. */
        public double trainAccuracy = Double.NaN;
        /** Wall time of the epoch's training steps (data and fit, not evaluation), summed over resumes. */
        public double trainSeconds;

        public EpochRecord() {
        }

        public EpochRecord(int epoch, double trainLoss, double trainAccuracy, double testAccuracy,
                double trainSeconds) {
            this.epoch = epoch;
            this.trainLoss = trainLoss;
            this.trainAccuracy = trainAccuracy;
            this.testAccuracy = testAccuracy;
            this.trainSeconds = trainSeconds;
        }
    }

    public int formatVersion = 1;
    public String recipe;
    public Map<String, String> hyperparameters = new LinkedHashMap<>();
    public int epoch;
    public int batch;
    public long iteration;
    public double bestAccuracy = -1;
    public String bestCheckpoint;
    public List<EpochRecord> history = new ArrayList<>();
    public double epochLossSum;
    public int epochLossCount;
    public double epochSeconds;
    public long epochCorrect;
    public long epochSeen;
}
