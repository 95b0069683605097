package org.qat4j.recipes;

import org.qat4j.distillation.DistributionalLoss;
import org.qat4j.distillation.DmdLoss;
import org.qat4j.distillation.FeatureLoss;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.multibit.RowCentredBinarizer;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.framework.recipe.TeacherSettings;
import org.qat4j.layers.attention.AttentionFunction;

/**
 * {@code spam-bibert}: BiBERT, W1 E1 A1. Linear and embedding weights {@code alpha_row sign(W - rowmean W)}, every
 * linear input and q, k, v {@code sign} (STE clipped at 1), Bi-Attention ({@code 1{A > 0}}, no softmax), distilled
 * from {@code spam-bert-fp32} (student initialised from it) with BiBERT's three terms:
 * <pre>
 *   L = CE(z_S, y) + 2 (dmdWeight sum_{i, F in q,k,v} DMD(F_S^i, F_T^i) + hiddenWeight sum_j ||h_S^j/|h_S^j| - h_T^j/|h_T^j| ||
 *                        + predWeight mean(-softmax(z_T) log_softmax(z_S)))
 * </pre>
 * with the hidden states {@code embed-ln} and every layer's output; BiBERT weighs the distillation terms 1 and the
 * task loss 0.5, which is the same objective up to the factor 2 (Adam is invariant to it). Weights set to 0 drop a
 * term ({@code --set dmdWeight=0} is the ablation of DMD); {@code --set distil=false} trains the same binary model
 * without a teacher.
 */
public class SpamBiBert extends SpamTransformer {

    static final String FP32_TEACHER = "runs/spam-bert-fp32";

    private final TeacherSettings teacher = new TeacherSettings(hyperparameters(), FP32_TEACHER, true);
    public final Hyperparameters.Param<Boolean> distil = hyperparameters().flag("distil", true,
            "distil from the teacher (false: the same binary model trained on labels alone)");
    public final Hyperparameters.Param<Double> dmdWeight = hyperparameters().real("dmdWeight", 1.0, 0, 1000,
            "weight of direction-matching distillation of q, k, v");
    public final Hyperparameters.Param<Double> hiddenWeight = hyperparameters().real("hiddenWeight", 1.0, 0, 1000,
            "weight of the normalised hidden-state distillation");
    public final Hyperparameters.Param<Double> predWeight = hyperparameters().real("predWeight", 1.0, 0, 1000,
            "weight of the prediction distillation");

    @Override
    public String name() {
        return "spam-bibert";
    }

    @Override
    public String description() {
        return "BiBERT W1E1A1: row-centred binary weights, Bi-Attention, DMD + hidden + prediction distillation "
                + "from spam-bert-fp32";
    }

    @Override
    protected Quantizer weights() {
        return new RowCentredBinarizer();
    }

    @Override
    protected Quantizer embeddingWeights() {
        return new RowCentredBinarizer();
    }

    @Override
    protected Quantizer activations() {
        return new SteEstimator(1);
    }

    @Override
    protected Quantizer attentionInputs() {
        return new SteEstimator(1);
    }

    @Override
    protected AttentionFunction attention() {
        return AttentionFunction.BI_ATTENTION;
    }

    @Override
    public Distillation distillation() {
        if (!distil.get()) {
            return null;
        }
        Distillation d = teacher.distillation();
        for (int i = 0; i < layers.get(); i++) {
            for (String f : new String[] {"q", "k", "v"}) {
                add(d, "dmd-" + tap(i, f), tap(i, f), new DmdLoss(heads.get()), dmdWeight.get());
            }
            add(d, "hidden-" + tap(i, "out"), tap(i, "out"), FeatureLoss.normalizedDifference(), hiddenWeight.get());
        }
        add(d, "hidden-" + EMBEDDING_OUT, EMBEDDING_OUT, FeatureLoss.normalizedDifference(), hiddenWeight.get());
        add(d, "pred", Distillation.LOGITS, new DistributionalLoss(), predWeight.get());
        return d;
    }

    private static void add(Distillation d, String name, String tap, org.qat4j.distillation.DistillationLoss loss,
            double weight) {
        if (weight > 0) {
            d.term(name, tap, loss, 2 * weight);
        }
    }
}
