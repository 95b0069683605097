package org.qat4j.estimators;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;

/**
 * A quantizer: a forward function {@code q = Q(x)} and its backward surrogate.
 *
 * <p>The forward returns the quantized tensor; the backward returns {@code dL/dx} and the gradients of the
 * quantizer's own learnable parameters, given {@code g = dL/dq}. This is the Java form of the PyTorch idiom
 * {@code q(x).detach() - f(x).detach() + f(x)}: the forward is {@code q}, the backward is {@code g * f'(x)}.
 *
 * <p>Learnable parameters (scales, thresholds, steps) and non-trainable state (an "initialised" flag, frozen
 * values) are not held by the quantizer: it declares them with {@link #paramSpecs(long[])} and receives them in
 * every call, so that a layer can keep them as real DL4J parameters, updated by the network's updater and saved
 * in its checkpoints. Implementations are configuration objects: bean properties, a no-arg constructor, JSON
 * serializable with the class name as type id, as DL4J's own layer configurations are.
 *
 * <p>Hyperparameters that change during training (ReSTE's exponent, BiPer's stage, ...) follow ND4J
 * {@link org.nd4j.linalg.schedule.ISchedule}s, evaluated when the trainer calls {@link #onProgress(int, int)}.
 * Penalties on the quantizer's own parameters (AdaRound's rounding loss) are DL4J {@link Regularization}s it
 * declares per parameter with {@link #regularization(String)}: DL4J's updater adds their gradients and the network's
 * score their values, as for weight decay.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public interface Quantizer extends Serializable {

    /**
     * Parameters and state this quantizer needs for an input of the given shape (the whole tensor, batch
     * dimension included for activations). Empty for parameter-free quantizers.
     */
    default List<ParamSpec> paramSpecs(long[] shape) {
        return List.of();
    }

    /** Quantizes {@code x}; returns a new array of the same shape and data type. May initialise state in {@code params}. */
    INDArray forward(INDArray x, Map<String, INDArray> params);

    /** Gradient of the loss with respect to {@code x} and to every trainable parameter, given {@code gradOut = dL/dq}. */
    QuantGradient backward(INDArray x, Map<String, INDArray> params, INDArray gradOut);

    /** Forward of a quantizer without parameters. */
    default INDArray forward(INDArray x) {
        return forward(x, Map.of());
    }

    /** Backward of a quantizer without parameters. */
    default QuantGradient backward(INDArray x, INDArray gradOut) {
        return backward(x, Map.of(), gradOut);
    }

    /**
     * Bits a quantized value takes in storage (1 for a binarizer, k for a k-bit grid, 32 for full precision);
     * learnable scales are counted separately as floats. Used by model summaries and export.
     */
    default double bitsPerValue() {
        return 32;
    }

    /**
     * Regularisers of one trainable parameter (a name from {@link #paramSpecs}); a layer returns them as the
     * regularisation of the layer parameter holding it. None by default.
     */
    default List<Regularization> regularization(String paramName) {
        return List.of();
    }

    /**
     * Re-evaluates the scheduled hyperparameters at this point of training. The layers call it before every forward
     * pass, in training and inference, with the network's epoch and iteration counts.
     */
    default void onProgress(int epoch, int iteration) {
    }
}
