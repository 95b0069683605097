package org.qat4j.layers.attention;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Nd;

/**
 * How the attention probabilities {@code P} are made from the scores {@code A} (both [N, H, L, L]; row i a query,
 * column j a key), forward and backward ({@code dP = dL/dP}). A key padded with {@link AttentionScores#MASK_SCORE}
 * gets {@code P = 0} in every mode, as long as its row has a real key.
 */
public enum AttentionFunction {

    /**
     * Full-precision attention.
     * <pre>
     *   forward   P_ij = exp(A_ij) / sum_k exp(A_ik)
     *   backward  dA_ij = P_ij (dP_ij - sum_k dP_ik P_ik)
     * </pre>
     */
    SOFTMAX {
        @Override
        public INDArray probabilities(INDArray scores, double beta) {
            return softmax(scores);
        }

        @Override
        public INDArray scoresGradient(INDArray scores, INDArray probabilities, INDArray dP, double beta) {
            return softmaxBackward(probabilities, dP);
        }
    },

    /**
     * Bi-Attention (BiBERT): boolean attention, no softmax.
     * <pre>
     *   forward   P_ij = 1{A_ij &gt; 0}
     *   backward  dA_ij = dP_ij 1{|A_ij| &lt; 1}
     * </pre>
     */
    BI_ATTENTION {
        @Override
        public INDArray probabilities(INDArray scores, double beta) {
            return Nd.greaterThanInPlace(scores.dup(), 0.0);
        }

        @Override
        public INDArray scoresGradient(INDArray scores, INDArray probabilities, INDArray dP, double beta) {
            INDArray inside = Nd.greaterThanInPlace(Transforms.abs(scores, true).rsubi(1.0), 0.0);
            return dP.muli(inside);
        }
    },

    /**
     * Softmax-aware binarization (BiViT), with threshold fraction {@code beta} in (0, 1].
     * <pre>
     *   forward   S_ij = exp(A_ij) / sum_k exp(A_ik),   T_i = beta max_j S_ij,   P_ij = 1{S_ij &gt;= T_i}
     *   backward  straight through to S, then the softmax Jacobian:   dA_ij = S_ij (dP_ij - sum_k dP_ik S_ik)
     * </pre>
     * The threshold is not differentiated. A row's largest score always attends.
     */
    SOFTMAX_AWARE {
        @Override
        public INDArray probabilities(INDArray scores, double beta) {
            INDArray s = softmax(scores);
            INDArray threshold = s.max(true, lastAxis(s)).muli(beta);
            INDArray below = Nd.greaterThanInPlace(s.rsubi(threshold), 0.0);
            return below.rsubi(1.0);
        }

        @Override
        public INDArray scoresGradient(INDArray scores, INDArray probabilities, INDArray dP, double beta) {
            return softmaxBackward(softmax(scores), dP);
        }
    };

    /** {@code P} from the scores (a new array). {@code beta} is used by {@link #SOFTMAX_AWARE} only. */
    public abstract INDArray probabilities(INDArray scores, double beta);

    /**
     * {@code dL/dA} from the scores, the probabilities this mode made from them, and {@code dP}, which is
     * overwritten.
     */
    public abstract INDArray scoresGradient(INDArray scores, INDArray probabilities, INDArray dP, double beta);

    private static int lastAxis(INDArray a) {
        return a.rank() - 1;
    }

    /** Softmax over the last axis, shifted by the row maximum so that exp cannot overflow. */
    private static INDArray softmax(INDArray a) {
        INDArray e = a.sub(a.max(true, lastAxis(a)));
        Transforms.exp(e, false);
        return e.divi(e.sum(true, lastAxis(e)));
    }

    /** {@code s (g - sum_k g_k s_k)} per row: the softmax Jacobian applied to g, written over g. */
    private static INDArray softmaxBackward(INDArray s, INDArray g) {
        INDArray dot = g.mul(s).sum(true, lastAxis(g));
        return g.subi(dot).muli(s);
    }
}
