package org.qat4j.estimators;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Result of {@link Quantizer#backward}: {@code dL/dx} and {@code dL/dp} for every trainable parameter {@code p}
 * (keyed by the parameter's name, shaped like the parameter).
 */
public record QuantGradient(INDArray input, Map<String, INDArray> params) {

    public QuantGradient(INDArray input) {
        this(input, Map.of());
    }

    public INDArray param(String name) {
        INDArray p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no gradient for parameter '" + name + "'; have " + params.keySet());
        }
        return p;
    }
}
