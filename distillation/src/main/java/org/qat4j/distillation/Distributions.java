package org.qat4j.distillation;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Row-wise softmax arithmetic of the logit losses, on [N, C] logits: the log-softmax at a temperature is computed
 * as {@code z/T - max - log sum exp(z/T - max)}, finite for any finite logits, so {@code p log p} terms never meet
 * {@code 0 * log 0}.
 */
final class Distributions {

    private Distributions() {
    }

    static void requireLogits(String loss, INDArray student, INDArray teacher) {
        if (student.rank() != 2 || !Arrays.equals(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException(loss + " takes [N, classes] logits of equal shape, got student "
                    + Arrays.toString(student.shape()) + " and teacher " + Arrays.toString(teacher.shape()));
        }
    }

    /** The log-probabilities of both networks at a temperature, and the rows the mask keeps ([N, 1] or null). */
    record LogProbabilities(INDArray logP, INDArray logQ, INDArray rows, double kept) {
    }

    /** Checks the logits and computes {@code log softmax(z / T)} of teacher (p) and student (q). */
    static LogProbabilities of(String loss, INDArray student, INDArray teacher, INDArray mask, double temperature) {
        requireLogits(loss, student, teacher);
        INDArray rows = Masks.rows(mask, student);
        return new LogProbabilities(logSoftmax(teacher, temperature), logSoftmax(student, temperature), rows,
                count(rows, student.size(0)));
    }

    /** {@code log softmax(z / T)} per row. */
    static INDArray logSoftmax(INDArray z, double temperature) {
        INDArray s = z.div(temperature);
        s.subiColumnVector(s.max(1).reshape(s.size(0), 1));
        INDArray logSum = Transforms.log(Transforms.exp(s, true).sum(1), false).reshape(s.size(0), 1);
        return s.subiColumnVector(logSum);
    }

    /** {@code KL(p || q)} per row, from log-probabilities; [N, 1]. */
    static INDArray kl(INDArray logP, INDArray logQ) {
        return Transforms.exp(logP, true).muli(logP.sub(logQ)).sum(true, 1);
    }

    /** Entropy {@code -sum p log p} per row, from log-probabilities; [N, 1]. */
    static INDArray entropy(INDArray logP) {
        return Transforms.exp(logP, true).muli(logP).sum(true, 1).negi();
    }

    /** Number of rows that count under a row mask ([N, 1] or null). */
    static double count(INDArray rowMask, long n) {
        return rowMask == null ? n : rowMask.sumNumber().doubleValue();
    }
}
