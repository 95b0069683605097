package org.qat4j.recipes;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.BiPerEstimator;
import org.qat4j.estimators.sign.BiPerRegularizer;

/**
 * {@code fmnist-resnet-biper}: W1A1 ResNet with BiPer weights in two stages (sin weights for the first half of the
 * epochs, then the square wave, starting from the stage-1 weights), a learnable per-channel scale, ApproxSign
 * activations, and the BiPer regulariser {@code tau mean(sin^2(w0 W))} with the CIFAR taus (0.037, then 0.0468).
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

    private int stage2() {
        return Math.max(1, epochs.get() / 2);
    }

    @Override
    protected Quantizer weights() {
        BiPerEstimator biper = new BiPerEstimator(20.0, 1);
        biper.setStageSchedule(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 1.0, stage2(), 2.0)));
        return new BinaryWeightQuantizer(biper, new LearnedScaling(false), 0);
    }

    @Override
    protected Layer conv(int out, int kernel, int stride, Quantizer weights, double clip) {
        Layer layer = super.conv(out, kernel, stride, weights, clip);
        if (weights != null) {
            BiPerRegularizer reg = new BiPerRegularizer(20.0, 0.037);
            reg.setTauSchedule(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 0.037, stage2(), 0.0468)));
            ((BaseLayer) layer).setRegularization(List.of(reg));
        }
        return layer;
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
