package org.qat4j.distillation;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.BeanConfig;
import org.qat4j.estimators.Check;

/**
 * Deviation-aware distillation, inspired by DB-LLM (the paper states the idea, reweighting each sample's
 * distillation by its ambiguity as teacher and student entropies measure it, without code; this is the qat4j
 * rule of ALGORITHMS.md section 8):
 * <pre>
 *   p_i = softmax(z_T,i),  q_i = softmax(z_S,i),  H_T(i) = H(p_i),  H_S(i) = H(q_i)
 *   w_i = (H_T(i) H_S(i))^gamma,  detached, normalised to mean 1 over the kept rows
 *   L = mean_i w_i KL(p_i || q_i),      dL/dz_S,i = w_i (q_i - p_i) / M
 * </pre>
 * When every weight is 0 (all predictions one-hot to float precision) the weights fall back to 1: plain KD.
 */
public class DadLoss extends BeanConfig implements DistillationLoss {

    private double gamma = 1.0;

    public DadLoss() {
    }

    public DadLoss(double gamma) {
        setGamma(gamma);
    }

    public double getGamma() {
        return gamma;
    }

    public void setGamma(double gamma) {
        this.gamma = Check.nonNegative("DAD gamma", gamma);
        if (Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("DAD gamma must be finite (got " + gamma + ")");
        }
    }

    @Override
    public Value evaluate(INDArray student, INDArray teacher, INDArray mask, Map<String, INDArray> state) {
        Distributions.LogProbabilities d = Distributions.of("DAD", student, teacher, mask, 1);
        INDArray rows = d.rows();
        double m = d.kept();
        INDArray logP = d.logP();
        INDArray logQ = d.logQ();
        INDArray w = Transforms.pow(Distributions.entropy(logP).muli(Distributions.entropy(logQ)), gamma, false);
        if (rows != null) {
            w.muli(rows);
        }
        double sum = w.sumNumber().doubleValue();
        if (m == 0) {
            return new Value(0, logQ.assign(0));
        }
        if (!(sum > 0)) {
            w = rows != null ? rows.dup() : w.assign(1);
            sum = m;
        }
        w.muli(m / sum);
        INDArray kl = Distributions.kl(logP, logQ).muli(w);
        INDArray grad = Transforms.exp(logQ, false).subi(Transforms.exp(logP, false)).muliColumnVector(w);
        return new Value(kl.sumNumber().doubleValue() / m, grad.divi(m));
    }
}
