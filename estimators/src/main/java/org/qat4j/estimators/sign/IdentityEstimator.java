package org.qat4j.estimators.sign;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The identity: {@code q = x}, {@code dL/dx = g}. A layer built with it computes exactly its full-precision
 * function, which is what DL4J's gradient checks need (sign itself has no true gradient). The straight-through
 * backward under a sign forward is {@code ste} with {@code clip = inf}.
 */
public class IdentityEstimator extends SignEstimator {

    @Override
    public double bitsPerValue() {
        return 32;
    }

    @Override
    public INDArray forward(INDArray x, Map<String, INDArray> params) {
        return x.dup();
    }

    @Override
    public INDArray derivative(INDArray x) {
        return x.ulike().assign(1.0);
    }

    @Override
    public INDArray surrogate(INDArray x) {
        return x.dup();
    }
}
