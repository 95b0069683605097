package org.qat4j.estimators.sign;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Nd;

/**
 * ApproxSign (Bi-Real Net): a piecewise quadratic surrogate of sign.
 * <pre>
 *   forward   q = sign(x)
 *   backward  dL/dx = g * max(0, 2 - 2|x|)
 *   F(x)      = sign(x) * (1 - (1 - min(|x|, 1))^2)     (2x + x^2 on [-1, 0), 2x - x^2 on [0, 1))
 * </pre>
 */
public class ApproxSignEstimator extends SignEstimator {

    @Override
    public INDArray derivative(INDArray x) {
        INDArray d = Transforms.abs(x, true).muli(-2.0).addi(2.0);
        return Transforms.max(d, 0.0, false);
    }

    @Override
    public INDArray surrogate(INDArray x) {
        INDArray inner = Transforms.min(Transforms.abs(x, true), 1.0, false).rsubi(1.0);
        return inner.muli(inner).rsubi(1.0).muli(Nd.sign(x));
    }
}
