package org.qat4j.distillation;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.qat4j.estimators.ParamSpec;

/**
 * A teacher-student loss over one pair of taps: the student's activation {@code s} and the frozen teacher's
 * activation {@code t} of the same shape. It returns the loss of the batch, defined as a mean as in the paper, and
 * its gradient with respect to {@code s}; the teacher receives no gradient.
 *
 * <p>An optional mask marks the positions that count (1) and the padded ones that do not (0): shape [N] (one flag
 * per example) or [N, L] (one per position of a sequence in DL4J's recurrent layout [N, C, L]). Masked positions
 * contribute neither loss nor gradient.
 *
 * <p>State a loss must carry across iterations (the cached principal directions of LRM) is declared with
 * {@link #stateSpecs(long)} and held by the layer as non-trainable parameters, so it is saved in checkpoints and a
 * resumed run continues with the same values. Implementations are configuration beans, JSON serializable with the
 * class name as type id, like the quantizers.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public interface DistillationLoss extends Serializable {

    /** The loss of a batch and {@code dLoss/ds}. */
    record Value(double loss, INDArray gradient) {
    }

    /** Evaluates the loss; may initialise its state on the first call. */
    Value evaluate(INDArray student, INDArray teacher, INDArray mask, Map<String, INDArray> state);

    /** Evaluates a loss without state. */
    default Value evaluate(INDArray student, INDArray teacher, INDArray mask) {
        return evaluate(student, teacher, mask, Map.of());
    }

    /** State entries for a tap of {@code channels} channels (features, classes); none by default. */
    default List<ParamSpec> stateSpecs(long channels) {
        return List.of();
    }

    /**
     * Why a student tap of this shape cannot be distilled from a teacher tap of that shape (per example; the
     * minibatch dimension is left out), or null when it can. By default the shapes must be equal.
     */
    default String incompatibility(long[] student, long[] teacher) {
        return Arrays.equals(student, teacher) ? null
                : "student shape " + Arrays.toString(student) + " differs from teacher shape " + Arrays.toString(teacher);
    }
}
