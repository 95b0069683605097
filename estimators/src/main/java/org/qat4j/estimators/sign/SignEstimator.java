package org.qat4j.estimators.sign;

import org.qat4j.estimators.BeanConfig;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;

/**
 * A binarizer whose forward is {@code sign(x)} (with {@code sign(0) = +1}) and whose backward is
 * {@code g * F'(x)} for a smooth surrogate {@code F} of sign. Subclasses give {@code F} and {@code F'}; the
 * surrogate itself is exposed so that tests can check {@code F'} against finite differences of {@code F} and plots
 * can draw it.
 */
public abstract class SignEstimator extends BeanConfig implements Quantizer {

    /** {@code F'(x)}: the factor the backward multiplies the incoming gradient by, as a new array. */
    public abstract INDArray derivative(INDArray x);

    /** {@code F(x)}: the smooth function whose derivative the backward uses, as a new array. */
    public abstract INDArray surrogate(INDArray x);

    @Override
    public double bitsPerValue() {
        return 1;
    }

    @Override
    public INDArray forward(INDArray x, Map<String, INDArray> params) {
        return Nd.sign(x);
    }

    @Override
    public QuantGradient backward(INDArray x, Map<String, INDArray> params, INDArray gradOut) {
        return new QuantGradient(derivative(x).muli(gradOut));
    }
}
