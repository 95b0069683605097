package org.qat4j.recipes;

import org.qat4j.distillation.KdLoss;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;

/**
 * {@code fmnist-resnet-bnn-kd}: {@code fmnist-resnet-bnn} (STE) distilled from the FP32 ResNet with KD on the logits,
 * latent weights initialised from the teacher.
 */
public class FmnistResNetBnnKd extends FmnistResNetBnn {

    private final LogitDistillation logits = new LogitDistillation(hyperparameters());
    public final Hyperparameters.Param<Double> temperature = hyperparameters().real("kdTemperature", 2.0, 0.1, 100,
            "KD temperature T");

    @Override
    public String name() {
        return "fmnist-resnet-bnn-kd";
    }

    @Override
    public String description() {
        return "fmnist-resnet-bnn distilled from the FP32 ResNet (KD on logits, T = 2), student initialised from the "
                + "teacher";
    }

    @Override
    public Distillation distillation() {
        return logits.with(new KdLoss(temperature.get()));
    }
}
