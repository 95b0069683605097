package org.qat4j.recipes.diffusion;

import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.TeacherSettings;

/**
 * Base of the quantized diffusion recipes: they start from the weights of an FP32 run of {@code fmnist-ddpm-fp32}
 * (its weight average; {@code --teacher} names the run, default {@value #FP32_TEACHER}) and train on the task loss;
 * subclasses may add distillation terms to {@link #distillation()}.
 */
public abstract class QuantizedDdpm extends FmnistDdpm {

    static final String FP32_TEACHER = "runs/fmnist-ddpm-fp32";

    protected final TeacherSettings teacher = new TeacherSettings(hyperparameters(), FP32_TEACHER, true);

    protected QuantizedDdpm() {
        epochs.set(5);
    }

    /** The FP32 run as the starting point (no distillation terms), or null with {@code initFromTeacher=false}. */
    @Override
    public Distillation distillation() {
        return teacher.initFromTeacher.get() ? teacher.distillation() : null;
    }
}
