package org.qat4j.distillation;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.BeanConfig;
import org.qat4j.estimators.Check;

/**
 * Knowledge distillation (Hinton et al.) on logits, with temperature T:
 * <pre>
 *   p = softmax(z_T / T),  q = softmax(z_S / T)
 *   L = T^2 * mean_i KL(p_i || q_i)                 (over the rows that the mask keeps)
 *   dL/dz_S,i = (T / M) (q_i - p_i)                 M = number of kept rows
 * </pre>
 * The T^2 factor keeps the gradient's scale independent of T, as in the paper.
 */
public class KdLoss extends BeanConfig implements DistillationLoss {

    private double temperature = 1.0;

    public KdLoss() {
    }

    public KdLoss(double temperature) {
        setTemperature(temperature);
    }

    public double getTemperature() {
        return temperature;
    }

    public void setTemperature(double temperature) {
        this.temperature = Check.finitePositive("KD temperature", temperature);
    }

    @Override
    public Value evaluate(INDArray student, INDArray teacher, INDArray mask, Map<String, INDArray> state) {
        Distributions.LogProbabilities d = Distributions.of("KD", student, teacher, mask, temperature);
        INDArray rows = d.rows();
        double m = d.kept();
        INDArray logP = d.logP();
        INDArray logQ = d.logQ();
        INDArray kl = Distributions.kl(logP, logQ);
        INDArray grad = Transforms.exp(logQ, false).subi(Transforms.exp(logP, false));
        if (rows != null) {
            kl.muli(rows);
            grad.muliColumnVector(rows);
        }
        if (m == 0) {
            return new Value(0, grad.assign(0));
        }
        double t = temperature;
        return new Value(t * t * kl.sumNumber().doubleValue() / m, grad.muli(t / m));
    }
}
