package org.qat4j.distillation;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.BeanConfig;

/**
 * Feature (hidden-state) distillation between equally shaped student and teacher activations, in one of two forms:
 * <pre>
 *   normalised (BiBERT's hidden-state loss):  L = || S / ||S||_F - T / ||T||_F ||_F    norms over the whole batch
 *   plain MSE:                                 L = mean (S - T)^2,   dL/dS = 2 (S - T) / M
 * </pre>
 * Masked positions are zeroed in both tensors before the norms (normalised form) or left out of the mean (MSE).
 */
public class FeatureLoss extends BeanConfig implements DistillationLoss {

    private boolean normalized = true;

    public FeatureLoss() {
    }

    public FeatureLoss(boolean normalized) {
        this.normalized = normalized;
    }

    /** The normalised-difference form of BiBERT. */
    public static FeatureLoss normalizedDifference() {
        return new FeatureLoss(true);
    }

    /** Plain mean squared error. */
    public static FeatureLoss mse() {
        return new FeatureLoss(false);
    }

    public boolean isNormalized() {
        return normalized;
    }

    public void setNormalized(boolean normalized) {
        this.normalized = normalized;
    }

    @Override
    public Value evaluate(INDArray student, INDArray teacher, INDArray mask, Map<String, INDArray> state) {
        INDArray m = Masks.expand(mask, student);
        INDArray s = m == null ? student : student.mul(m);
        INDArray t = m == null ? teacher.castTo(student.dataType()) : teacher.castTo(student.dataType()).mul(m);
        if (normalized) {
            Value v = NormalizedDifference.of(s, t);
            return m == null ? v : new Value(v.loss(), v.gradient().muli(m));
        }
        double count = m == null ? s.length() : m.sumNumber().doubleValue();
        INDArray diff = s.sub(t);
        if (count == 0) {
            return new Value(0, diff.assign(0));
        }
        double loss = diff.mul(diff).sumNumber().doubleValue() / count;
        return new Value(loss, diff.muli(2 / count));
    }
}
