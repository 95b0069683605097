package org.qat4j.framework.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.TeacherSettings;

/**
 * A run's distillation: the frozen teacher, checked against the student before the first step, and the
 * minibatches with the teacher's tap activations as the labels of the student's distillation outputs.
 */
final class Distilling {

    private final Distillation distillation;
    private final Teacher teacher;
    /** For each term, the index of its teacher tap in {@link Distillation#teacherTaps()}. */
    private final int[] tapOf;

    private Distilling(Distillation distillation, Teacher teacher) {
        this.distillation = distillation;
        this.teacher = teacher;
        List<String> taps = distillation.teacherTaps();
        tapOf = distillation.terms().stream().mapToInt(t -> taps.indexOf(t.teacherTap())).toArray();
    }

    /**
     * Opens the recipe's teacher and checks every term on one example: the taps exist in both networks and their
     * shapes suit the term's loss. Null when the recipe does not distil. A new run records the teacher's absolute
     * path in the recipe's {@code teacher} hyperparameter, so resume finds it from any directory.
     */
    static Distilling open(Recipe recipe, ComputationGraph student, INDArray[] example, boolean newRun)
            throws IOException {
        Distillation d = recipe.distillation();
        if (d == null) {
            return null;
        }
        Path path = Path.of(d.teacher()).toAbsolutePath().normalize();
        if (!path.toFile().exists()) {
            throw new IllegalArgumentException("recipe " + recipe.name() + " distils from the teacher " + path
                    + ", which does not exist: train the teacher first, or name one with --teacher (a run "
                    + "directory, checkpoint directory or model.zip)");
        }
        Teacher teacher = Teacher.open(path, d.teacherTaps());
        for (Map.Entry<String, String> e : recipe.derivedState().entrySet()) {
            String theirs = teacher.derivedState().get(e.getKey());
            if (theirs != null && !theirs.equals(e.getValue())) {
                throw new IllegalArgumentException("the teacher " + path + " was trained with another " + e.getKey()
                        + " than recipe " + recipe.name() + " derives from its data: their inputs would not mean "
                        + "the same");
            }
        }
        if (newRun && recipe.hyperparameters().values().containsKey(TeacherSettings.TEACHER)) {
            recipe.hyperparameters().set(TeacherSettings.TEACHER, path.toString());
        }
        Distilling out = new Distilling(d, teacher);
        out.check(student, example);
        return out;
    }

    Teacher teacher() {
        return teacher;
    }

    boolean initFromTeacher() {
        return distillation.initFromTeacher();
    }

    private void check(ComputationGraph student, INDArray[] example) {
        if (tapOf.length == 0) {
            return;
        }
        INDArray[] t;
        try {
            t = teacher.taps(example, null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the teacher (" + teacher.describe() + ") cannot take the student's "
                    + "inputs of shapes " + Arrays.stream(example).map(a -> Arrays.toString(a.shape()))
                    .collect(java.util.stream.Collectors.joining(", ")) + ": " + e.getMessage());
        }
        Map<String, INDArray> s = student.feedForward(example, false);
        List<Distillation.Term> terms = distillation.terms();
        for (int i = 0; i < terms.size(); i++) {
            Distillation.Term term = terms.get(i);
            String why = term.loss().incompatibility(Teacher.perExample(s.get(term.studentTap())),
                    Teacher.perExample(t[tapOf[i]]));
            if (why != null) {
                throw new IllegalArgumentException("distillation term '" + term.name() + "': student tap '"
                        + term.studentTap() + "' and teacher tap '" + term.teacherTap() + "' do not fit: " + why);
            }
        }
    }

    /** Copies every teacher parameter whose name and shape the student shares; says what it did. */
    String initialise(ComputationGraph student) {
        Map<String, INDArray> from = teacher.paramTable();
        int copied = 0;
        long values = 0;
        Map<String, INDArray> to = student.paramTable();
        for (Map.Entry<String, INDArray> e : to.entrySet()) {
            INDArray src = from.get(e.getKey());
            if (src != null && Arrays.equals(src.shape(), e.getValue().shape())) {
                e.getValue().assign(src);
                copied++;
                values += src.length();
            }
        }
        return String.format(Locale.ROOT, "initialised %d of the student's %d parameter arrays (%d values) from the "
                + "teacher", copied, to.size(), values);
    }

    /** The minibatch with the teacher's taps as the labels of the distillation outputs, after the task labels. */
    MultiDataSet batch(MultiDataSet step) {
        if (tapOf.length == 0) {
            return step;
        }
        INDArray[] taps = teacher.taps(step.getFeatures(), step.getFeaturesMaskArrays());
        INDArray[] labels = java.util.Arrays.copyOf(step.getLabels(), step.numLabelsArrays() + tapOf.length);
        for (int i = 0; i < tapOf.length; i++) {
            labels[step.numLabelsArrays() + i] = taps[tapOf[i]];
        }
        return new MultiDataSet(step.getFeatures(), labels, step.getFeaturesMaskArrays(), null);
    }

    String describe() {
        StringBuilder b = new StringBuilder("distilling from " + teacher.describe() + " (params sha256 "
                + teacher.paramsSha256().substring(0, 12) + "...):");
        for (Distillation.Term t : distillation.terms()) {
            b.append(String.format(Locale.ROOT, " %s = %g x %s(%s%s)", t.name(), t.weight(),
                    t.loss().getClass().getSimpleName(), t.studentTap(),
                    t.studentTap().equals(t.teacherTap()) ? "" : " <- " + t.teacherTap()));
        }
        return b.toString();
    }
}
