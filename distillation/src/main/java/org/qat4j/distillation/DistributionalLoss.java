package org.qat4j.distillation;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.BeanConfig;

/**
 * ReActNet's distributional loss: the cross-entropy of the student's prediction against the teacher's, with no
 * label term (also BiBERT's prediction loss):
 * <pre>
 *   L = -mean_i sum_c softmax(z_T)_ic log softmax(z_S)_ic      (over the rows that the mask keeps)
 *   dL/dz_S,i = (softmax(z_S)_i - softmax(z_T)_i) / M
 * </pre>
 * It differs from {@link KdLoss} at T = 1 by the teacher's entropy, a constant for the student.
 */
public class DistributionalLoss extends BeanConfig implements DistillationLoss {

    @Override
    public Value evaluate(INDArray student, INDArray teacher, INDArray mask, Map<String, INDArray> state) {
        Distributions.LogProbabilities d = Distributions.of("the distributional loss", student, teacher, mask, 1);
        INDArray rows = d.rows();
        double m = d.kept();
        INDArray logP = d.logP();
        INDArray logQ = d.logQ();
        INDArray p = Transforms.exp(logP, false);
        INDArray ce = p.mul(logQ).sum(true, 1).negi();
        INDArray grad = Transforms.exp(logQ, false).subi(p);
        if (rows != null) {
            ce.muli(rows);
            grad.muliColumnVector(rows);
        }
        if (m == 0) {
            return new Value(0, grad.assign(0));
        }
        return new Value(ce.sumNumber().doubleValue() / m, grad.divi(m));
    }
}
