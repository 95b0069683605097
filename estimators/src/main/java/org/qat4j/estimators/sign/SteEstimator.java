package org.qat4j.estimators.sign;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;

/**
 * Straight-through estimator (BinaryConnect, BNN).
 * <pre>
 *   forward   q = sign(x)
 *   backward  dL/dx = g * 1{|x| &lt;= c}          (surrogate F(x) = clip(x, -c, c))
 * </pre>
 * {@code c = +inf} gives the plain identity backward.
 */
public class SteEstimator extends SignEstimator {

    private double clip = 1.0;

    public SteEstimator() {
    }

    public SteEstimator(double clip) {
        setClip(clip);
    }

    public double getClip() {
        return clip;
    }

    public void setClip(double clip) {
        this.clip = Check.nonNegative("clip", clip);
    }

    @Override
    public INDArray derivative(INDArray x) {
        return Nd.absAtMost(x, clip);
    }

    @Override
    public INDArray surrogate(INDArray x) {
        return Double.isInfinite(clip) ? x.dup() : Transforms.min(Transforms.max(x, -clip, true), clip, false);
    }
}
