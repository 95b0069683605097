package org.qat4j.distillation;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The normalised-difference distance of BiBERT, over whole batch tensors:
 * <pre>
 *   u = x / ||x||_F,  v = y / ||y||_F,  d = u - v,  L = ||d||_F
 *   dL/dx = (d - u (u . d)) / (||x||_F L)
 * </pre>
 * At L = 0 (x a positive multiple of y) the gradient is taken as 0, the minimum's subgradient; when x is all zeros
 * the direction is undefined and the gradient is 0 too.
 */
final class NormalizedDifference {

    private NormalizedDifference() {
    }

    static DistillationLoss.Value of(INDArray x, INDArray y) {
        double a = x.norm2Number().doubleValue();
        double b = y.norm2Number().doubleValue();
        INDArray u = a > 0 ? x.div(a) : x.mul(0);
        INDArray d = b > 0 ? u.sub(y.div(b)) : u.dup();
        double loss = d.norm2Number().doubleValue();
        if (!(loss > 0) || !(a > 0)) {
            return new DistillationLoss.Value(loss, d.assign(0));
        }
        double ud = u.mul(d).sumNumber().doubleValue();
        return new DistillationLoss.Value(loss, d.subi(u.muli(ud)).divi(a * loss));
    }
}
