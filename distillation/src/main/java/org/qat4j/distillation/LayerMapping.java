package org.qat4j.distillation;

/**
 * Which teacher layer a student layer learns from when the teacher is deeper (BiBERT): with
 * {@code k = teacherLayers / studentLayers},
 * <pre>
 *   attention (DMD) of student layer i  &lt;-  teacher layer i k + k - 1     (the last of its group of k)
 *   hidden state i (0 = embedding output) &lt;-  teacher hidden state i k
 * </pre>
 */
public final class LayerMapping {

    private LayerMapping() {
    }

    public static int attentionLayer(int studentLayer, int studentLayers, int teacherLayers) {
        int k = ratio(studentLayers, teacherLayers);
        if (studentLayer < 0 || studentLayer >= studentLayers) {
            throw new IllegalArgumentException("student layer " + studentLayer + " is not in 0.." + (studentLayers - 1));
        }
        return studentLayer * k + k - 1;
    }

    public static int hiddenState(int studentState, int studentLayers, int teacherLayers) {
        int k = ratio(studentLayers, teacherLayers);
        if (studentState < 0 || studentState > studentLayers) {
            throw new IllegalArgumentException("student hidden state " + studentState + " is not in 0.."
                    + studentLayers);
        }
        return studentState * k;
    }

    private static int ratio(int studentLayers, int teacherLayers) {
        if (studentLayers < 1 || teacherLayers < studentLayers || teacherLayers % studentLayers != 0) {
            throw new IllegalArgumentException("a teacher of " + teacherLayers + " layers cannot be mapped onto a "
                    + "student of " + studentLayers + " (the teacher's depth must be a multiple of the student's)");
        }
        return teacherLayers / studentLayers;
    }
}
