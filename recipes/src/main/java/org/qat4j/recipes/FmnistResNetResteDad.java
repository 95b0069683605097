package org.qat4j.recipes;

import org.qat4j.distillation.DadLoss;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;

/**
 * {@code fmnist-resnet-reste-dad}: {@code fmnist-resnet-reste} distilled from the FP32 ResNet with the
 * entropy-weighted DAD term (DB-LLM-inspired; {@link DadLoss}), latent weights initialised from the teacher.
 */
public class FmnistResNetResteDad extends FmnistResNetReste {

    private final LogitDistillation logits = new LogitDistillation(hyperparameters());
    public final Hyperparameters.Param<Double> gamma = hyperparameters().real("dadGamma", 1.0, 0, 10,
            "exponent of the entropy weight (H_T H_S)^gamma; 0 = plain KD at T = 1");

    @Override
    public String name() {
        return "fmnist-resnet-reste-dad";
    }

    @Override
    public String description() {
        return "fmnist-resnet-reste distilled from the FP32 ResNet with DAD (entropy-weighted KD), student "
                + "initialised from the teacher";
    }

    @Override
    public Distillation distillation() {
        return logits.with(new DadLoss(gamma.get()));
    }
}
