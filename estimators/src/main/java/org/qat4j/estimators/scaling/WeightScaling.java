package org.qat4j.estimators.scaling;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.qat4j.estimators.ParamSpec;

/**
 * How a binary weight tensor is scaled: {@code W_q = alpha (.) sign(W_c)}, with {@code alpha} per output channel
 * (or per tensor) and {@code W_c} the latent weights, optionally centred. Used by
 * {@link org.qat4j.estimators.BinaryWeightQuantizer}, which owns the estimator part of the backward.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public interface WeightScaling extends Serializable {

    default List<ParamSpec> paramSpecs(long[] shape, int channelAxis) {
        return List.of();
    }

    /** The latent tensor that is binarized; {@code w} itself unless the rule centres it. */
    default INDArray center(INDArray w, int channelAxis) {
        return w;
    }

    /** {@code alpha} broadcastable against {@code wc}, or {@code null} for no scaling. May initialise parameters. */
    INDArray alpha(INDArray wc, Map<String, INDArray> params, int channelAxis);

    /**
     * Adds the scaling's own terms to the backward: extra input-gradient terms into {@code gradIn} (in place) and
     * the gradients of its parameters into {@code paramGrads}. {@code g = dL/dW_q}.
     */
    default void backward(INDArray wc, INDArray g, INDArray gradIn, Map<String, INDArray> params, int channelAxis,
            Map<String, INDArray> paramGrads) {
    }
}
