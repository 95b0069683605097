package org.qat4j.recipes;

import java.util.Map;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.BiPerEstimator;

/**
 * {@code fmnist-resnet-biper}: W1A1 ResNet with BiPer weights in two stages (sin weights for the first half of the
 * epochs, then the square wave, starting from the stage-1 weights), a learnable per-channel scale and ApproxSign
 * activations.
 */
public class FmnistResNetBiper extends FmnistResNet {

    @Override
    public String name() {
        return "fmnist-resnet-biper";
    }

    @Override
    public String description() {
        return "W1A1 ResNet, BiPer periodic weights (stage 1 sin, stage 2 square wave from mid-run)";
    }

    @Override
    protected Quantizer weights() {
        BiPerEstimator biper = new BiPerEstimator(20.0, 1);
        biper.setStageSchedule(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 1.0, Math.max(1, epochs.get() / 2), 2.0)));
        return new BinaryWeightQuantizer(biper, new LearnedScaling(false), 0);
    }

    @Override
    protected Quantizer activations() {
        return new ApproxSignEstimator();
    }

    /** BiPer's latent weights live on a periodic function: no clipping. */
    @Override
    protected double latentClip() {
        return 0;
    }
}
