package org.qat4j.recipes.diffusion;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.framework.recipe.Hyperparameters;

/**
 * {@code fmnist-ddpm-bnn-baseline}: the plain 1-bit baseline BinaryDM is measured against: every group's weights
 * {@code mean|W_o| sign(W)} (straight-through, clipped at 1), the same LSQ activations, initialised from the same
 * FP32 model, trained on the task loss alone (no LRM, no progressive binarization).
 */
public class FmnistDdpmBnnBaseline extends QuantizedDdpm {

    public final Hyperparameters.Param<Integer> activationBits = hyperparameters().integer("activationBits", 8, 2, 8,
            "bits of the LSQ activation quantizers");

    @Override
    public String name() {
        return "fmnist-ddpm-bnn-baseline";
    }

    @Override
    public String description() {
        return "1-bit DDPM baseline: XNOR-scaled sign weights (STE), LSQ activations, from fmnist-ddpm-fp32, no "
                + "distillation";
    }

    @Override
    protected Quantizer weights(int group) {
        return new BinaryWeightQuantizer(new SteEstimator(1.0), new XnorScaling(), 0);
    }

    @Override
    protected Quantizer activations() {
        return new LsqQuantizer(activationBits.get(), true, false);
    }
}
