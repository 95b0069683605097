package org.qat4j.recipes;

import org.qat4j.distillation.DistillationLoss;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.framework.recipe.TeacherSettings;

/**
 * The teacher and the logit term of the distilled Fashion-MNIST ResNets: hyperparameters {@code teacher} (default
 * the FP32 ResNet's run directory {@value #FP32_TEACHER}), {@code initFromTeacher} (default true: the binary
 * student's latent weights start from the FP32 teacher's, as ReActNet's second stage and BiBERT start) and
 * {@code kdWeight}; the recipe adds the settings of its loss.
 */
final class LogitDistillation {

    static final String FP32_TEACHER = "runs/fmnist-resnet-fp32";

    private final TeacherSettings teacher;
    private final Hyperparameters.Param<Double> weight;

    LogitDistillation(Hyperparameters hp) {
        teacher = new TeacherSettings(hp, FP32_TEACHER, true);
        weight = hp.real("kdWeight", 1.0, 0, 1000, "weight of the logit distillation term (the task loss has 1)");
    }

    /** Task loss plus {@code kdWeight * loss(student logits, teacher logits)}. */
    Distillation with(DistillationLoss loss) {
        return teacher.distillation().term("kd", Distillation.LOGITS, loss, weight.get());
    }
}
