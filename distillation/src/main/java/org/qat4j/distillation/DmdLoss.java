package org.qat4j.distillation;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.BeanConfig;

/**
 * Direction-matching distillation (BiBERT) of one of Q, K, V: the student's similarity matrices are matched to the
 * teacher's after normalisation over the whole batch.
 * <pre>
 *   F: [N, D, L] (DL4J's recurrent layout; D = heads * d), split into heads F_h: [N, H, d, L]
 *   P = F_h^T F_h / sqrt(d)                     [N, H, L, L]; entries &lt;= -100 set to 0 (as BiBERT's code does)
 *   L = || P_S / ||P_S||_F - P_T / ||P_T||_F ||_F
 *   dL/dF_h = F_h (G + G^T) / sqrt(d),  G = dL/dP_S (zero where an entry was cut)
 * </pre>
 * Padded positions (mask [N, L]) are zeroed in F, so their rows and columns of P are 0 in both networks. The
 * student's and teacher's hidden sizes may differ (each uses its own d); sequence length and heads may not. Sum
 * one such term per layer and per F in {Q, K, V}; {@link LayerMapping} pairs student and teacher layers.
 */
public class DmdLoss extends BeanConfig implements DistillationLoss {

    static final double CUT = -100;

    private int heads = 1;

    public DmdLoss() {
    }

    public DmdLoss(int heads) {
        setHeads(heads);
    }

    public int getHeads() {
        return heads;
    }

    public void setHeads(int heads) {
        if (heads < 1) {
            throw new IllegalArgumentException("DMD heads must be >= 1 (got " + heads + ")");
        }
        this.heads = heads;
    }

    @Override
    public String incompatibility(long[] student, long[] teacher) {
        if (student.length != 2 || teacher.length != 2) {
            return "DMD takes [hidden, length] per example, got student " + Arrays.toString(student) + " and teacher "
                    + Arrays.toString(teacher);
        }
        if (student[1] != teacher[1]) {
            return "sequence lengths differ: student " + student[1] + ", teacher " + teacher[1];
        }
        if (student[0] % heads != 0 || teacher[0] % heads != 0) {
            return "hidden sizes " + student[0] + " (student) and " + teacher[0] + " (teacher) must be multiples of "
                    + heads + " heads";
        }
        return null;
    }

    @Override
    public Value evaluate(INDArray student, INDArray teacher, INDArray mask, Map<String, INDArray> state) {
        String why = student.rank() != 3 || teacher.rank() != 3 ? "DMD takes [N, hidden, length] activations"
                : incompatibility(new long[] {student.size(1), student.size(2)},
                        new long[] {teacher.size(1), teacher.size(2)});
        if (why != null || student.size(0) != teacher.size(0)) {
            throw new IllegalArgumentException(why != null ? why : "minibatch sizes differ");
        }
        INDArray fs = heads(masked(student, mask));
        INDArray ft = heads(masked(teacher.castTo(student.dataType()), mask));
        INDArray ps = similarity(fs);
        INDArray keep = ps.gt(CUT).castTo(ps.dataType());
        Value v = NormalizedDifference.of(ps.muli(keep), cut(similarity(ft)));
        INDArray g = v.gradient().muli(keep);
        double scale = Math.sqrt(fs.size(2));
        INDArray grad = Nd4j.matmul(fs, g.add(g.permute(0, 1, 3, 2))).divi(scale).reshape(student.shape());
        return new Value(v.loss(), mask == null ? grad : grad.muli(Masks.expand(mask, student)));
    }

    private static INDArray masked(INDArray x, INDArray mask) {
        return mask == null ? x : x.mul(Masks.expand(mask, x));
    }

    private INDArray heads(INDArray f) {
        return f.dup('c').reshape(f.size(0), heads, f.size(1) / heads, f.size(2));
    }

    private static INDArray similarity(INDArray fh) {
        return Nd4j.matmul(fh, fh, true, false, false).divi(Math.sqrt(fh.size(2)));
    }

    private static INDArray cut(INDArray p) {
        return p.muli(p.gt(CUT).castTo(p.dataType()));
    }
}
