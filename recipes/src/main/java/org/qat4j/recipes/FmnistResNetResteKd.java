package org.qat4j.recipes;

import org.qat4j.distillation.KdLoss;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;

/**
 * {@code fmnist-resnet-reste-kd}: {@code fmnist-resnet-reste} distilled from the FP32 ResNet,
 * {@code L = CE(z_S, y) + kdWeight * T^2 KL(softmax(z_T/T) || softmax(z_S/T))}, latent weights initialised from the
 * teacher.
 */
public class FmnistResNetResteKd extends FmnistResNetReste {

    private final LogitDistillation logits = new LogitDistillation(hyperparameters());
    public final Hyperparameters.Param<Double> temperature = hyperparameters().real("kdTemperature", 2.0, 0.1, 100,
            "KD temperature T");

    @Override
    public String name() {
        return "fmnist-resnet-reste-kd";
    }

    @Override
    public String description() {
        return "fmnist-resnet-reste distilled from the FP32 ResNet (KD on logits, T = 2), student initialised from "
                + "the teacher";
    }

    @Override
    public Distillation distillation() {
        return logits.with(new KdLoss(temperature.get()));
    }
}
