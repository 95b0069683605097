package org.qat4j.framework.recipe;

import java.util.Map;

/**
 * A recipe with a post-training form: {@code qat4j quantize --checkpoint FP32 --recipe NAME} quantizes a trained
 * full-precision checkpoint of {@link #sourceRecipe()} into the recipe's formats by a short calibration run (learned
 * rounding, for instance) instead of quantization-aware training. The calibration run is an ordinary run of the
 * recipe with the checkpoint as its teacher and {@link #postTrainingSettings()} applied.
 */
public interface PostTrainingQuantization {

    /** The recipe whose checkpoints this one quantizes after training. */
    String sourceRecipe();

    /**
     * The hyperparameters of the calibration run, applied over the source checkpoint's (which fix the model's
     * shape) and under the user's {@code --set}.
     */
    Map<String, String> postTrainingSettings();
}
