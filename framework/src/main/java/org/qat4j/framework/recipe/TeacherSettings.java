package org.qat4j.framework.recipe;

/**
 * The teacher hyperparameters every distilled recipe declares: {@code teacher} (a run directory, checkpoint
 * directory or model.zip of another recipe; {@code qat4j train --teacher} sets it) and {@code initFromTeacher}.
 */
public final class TeacherSettings {

    public static final String TEACHER = "teacher";

    public final Hyperparameters.Param<String> teacher;
    public final Hyperparameters.Param<Boolean> initFromTeacher;

    public TeacherSettings(Hyperparameters hp, String defaultTeacher, boolean defaultInit) {
        teacher = hp.text(TEACHER, defaultTeacher, "the teacher: a run directory, checkpoint directory or model.zip "
                + "(its latest good checkpoint for a run directory)");
        initFromTeacher = hp.flag("initFromTeacher", defaultInit, "start the student from the teacher's weights "
                + "(every parameter whose layer name and shape match)");
    }

    /** A distillation from the configured teacher; add terms to it. */
    public Distillation distillation() {
        return new Distillation(teacher.get(), initFromTeacher.get());
    }
}
