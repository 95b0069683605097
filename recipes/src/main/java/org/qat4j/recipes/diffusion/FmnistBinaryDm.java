package org.qat4j.recipes.diffusion;

import org.qat4j.distillation.LrmLoss;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;

/**
 * {@code fmnist-binarydm}: BinaryDM, W1 with LSQ activations at {@code activationBits} (8: W1A8, 4: W1A4).
 * <pre>
 *   weights:      LMB  W_b = s1 sign(W) + s2 sign(W - s1 sign(W))   order 2 at 32x32 (level 0), order 1 elsewhere
 *   activations:  LSQ k-bit, signed, per tensor
 *   loss:         L = MSE(eps_theta, eps) + lrmWeight mean_blocks ||(F_S - F_T) K_T||^2 / (M q)     (LRM)
 *   progressive:  the groups switch from FP to binary one every progressiveSteps iterations, middle first, then
 *                 8x8, 16x16, 32x32; then the activation quantizers
 * </pre>
 * initialised from the FP32 teacher {@code fmnist-ddpm-fp32}, whose every res block output it mimics
 * ({@code --set initFromTeacher=false} with {@code lrmWeight=0} trains it from scratch without a teacher).
 */
public class FmnistBinaryDm extends QuantizedDdpm {

    public final Hyperparameters.Param<Integer> activationBits = hyperparameters().integer("activationBits", 8, 2, 8,
            "bits of the LSQ activation quantizers (8: W1A8, 4: W1A4)");
    public final Hyperparameters.Param<Double> lrmWeight = hyperparameters().real("lrmWeight", 1e-4, 0, 1000,
            "weight of the low-rank representation mimicking (0 = none)");
    public final Hyperparameters.Param<Integer> progressiveSteps = hyperparameters().integer("progressiveSteps", 1, 0,
            1_000_000, "iterations between the switches of progressive binarization (0 = all binary from the start)");

    @Override
    public String name() {
        return "fmnist-binarydm";
    }

    @Override
    public String description() {
        return "BinaryDM: LMB binary weights (order 2 at 32x32), LSQ activations, LRM distillation and progressive "
                + "binarization from fmnist-ddpm-fp32";
    }

    @Override
    protected Quantizer weights(int group) {
        return new LmbBinarizer(group == 0 ? 2 : 1, 0);
    }

    @Override
    protected Quantizer activations() {
        return new LsqQuantizer(activationBits.get(), true, false);
    }

    /** Middle, 8x8, 16x16, 32x32 one after the other, then the activations. */
    @Override
    protected int switchOn(int group) {
        int order = group == MIDDLE ? 0 : group < 0 ? MIDDLE + 1 : LEVELS - group;
        return order * progressiveSteps.get();
    }

    @Override
    public Distillation distillation() {
        if (lrmWeight.get() == 0) {
            return super.distillation();
        }
        Distillation d = teacher.distillation();
        for (String tap : blockTaps()) {
            d.term("lrm-" + tap, tap, new LrmLoss(), lrmWeight.get() / blockTaps().size());
        }
        return d;
    }
}
