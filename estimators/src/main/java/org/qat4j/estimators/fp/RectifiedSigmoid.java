package org.qat4j.estimators.fp;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Nd;

/**
 * AdaRound's rectified sigmoid, the soft rounding decision of {@link LearnedRoundingQuantizer} and the variable of
 * {@link RoundingRegularizer}: a sigmoid stretched to (-0.1, 1.1) and clipped to [0, 1], so that it reaches 0 and 1
 * at finite V and the regulariser can push every decision there.
 * <pre>
 *   h(V)     = clip(1.2 sigmoid(V) - 0.1, 0, 1)
 *   h'(V)    = 1.2 sigmoid(V) (1 - sigmoid(V))   where 0 &lt;= 1.2 sigmoid(V) - 0.1 &lt;= 1, else 0
 *   h^-1(f)  = log(s / (1 - s)),   s = (f + 0.1) / 1.2                         (f in [0, 1))
 * </pre>
 */
final class RectifiedSigmoid {

    private RectifiedSigmoid() {
    }

    /** h(V) as a new array. */
    static INDArray value(INDArray v) {
        return Transforms.min(Transforms.max(Transforms.sigmoid(v, true).muli(1.2).subi(0.1), 0.0, false), 1.0,
                false);
    }

    /** h'(V) as a new array. */
    static INDArray derivative(INDArray v) {
        INDArray sig = Transforms.sigmoid(v, true);
        INDArray raw = sig.mul(1.2).subi(0.1);
        INDArray active = Nd.within(raw, Nd4j.scalar(raw.dataType(), 0.0), Nd4j.scalar(raw.dataType(), 1.0));
        return sig.rsub(1.0).muli(sig).muli(1.2).muli(active);
    }

    /** The V at which h(V) = f, for fractions f in [0, 1); overwrites f. */
    static INDArray inverseInPlace(INDArray f) {
        INDArray s = f.addi(0.1).divi(1.2);
        return Transforms.log(s.divi(s.rsub(1.0)), false);
    }
}
