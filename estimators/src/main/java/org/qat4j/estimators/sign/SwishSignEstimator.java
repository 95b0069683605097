package org.qat4j.estimators.sign;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Check;

/**
 * SwishSign (larq), the derivative of the sign-swish function.
 * <pre>
 *   forward   q = sign(x)
 *   backward  dL/dx = g * b (2 - b x tanh(b x / 2)) / (1 + cosh(b x))
 *   F(x)      = 2 sigmoid(b x) (1 + b x (1 - sigmoid(b x))) - 1
 * </pre>
 */
public class SwishSignEstimator extends SignEstimator {

    private double beta = 5.0;

    public SwishSignEstimator() {
    }

    public SwishSignEstimator(double beta) {
        setBeta(beta);
    }

    public double getBeta() {
        return beta;
    }

    public void setBeta(double beta) {
        this.beta = Check.finitePositive("beta", beta);
    }

    @Override
    public INDArray derivative(INDArray x) {
        INDArray bx = x.mul(beta);
        INDArray numerator = Transforms.tanh(bx.mul(0.5), false).muli(bx).rsubi(2.0).muli(beta);
        return numerator.divi(Transforms.cosh(bx, false).addi(1.0));
    }

    @Override
    public INDArray surrogate(INDArray x) {
        INDArray bx = x.mul(beta);
        INDArray s = Transforms.sigmoid(bx, true);
        return s.rsub(1.0).muli(bx).addi(1.0).muli(s).muli(2.0).subi(1.0);
    }
}
