package org.qat4j.framework.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.qat4j.distillation.DistillationLoss;
import org.qat4j.distillation.DistillationOutput;

/**
 * What a recipe learns from a teacher: the teacher (a checkpoint of another recipe, or that recipe's run
 * directory), the distillation terms, and whether the student starts from the teacher's weights.
 *
 * <p>A term pairs a tap of the student (the name of a vertex of its graph, such as {@code logits} or a block
 * output) with the teacher's tap it imitates, a {@link DistillationLoss} and a weight. The student graph gets one
 * {@link DistillationOutput} per term, named {@code distil-TERM}, after its own outputs; the trainer feeds the
 * frozen teacher's tap activations as those outputs' labels, and DL4J minimises
 * {@code L_task + sum_k weight_k L_k}. The tap {@code logits} of a teacher whose classifier is a DL4J
 * {@code OutputLayer} (no separate logits vertex) is its pre-softmax output, computed from that layer's weights.
 */
public final class Distillation {

    /** One distillation term. */
    public record Term(String name, String studentTap, String teacherTap, DistillationLoss loss, double weight) {

        public Term {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(studentTap, "studentTap");
            Objects.requireNonNull(teacherTap, "teacherTap");
            Objects.requireNonNull(loss, "loss");
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("distillation term '" + name + "': weight must be a finite number "
                        + ">= 0 (got " + weight + ")");
            }
        }

        /** The name of the student graph's output that carries this term. */
        public String output() {
            return OUTPUT_PREFIX + name;
        }
    }

    public static final String OUTPUT_PREFIX = "distil-";
    /** The tap name of a classifier's pre-softmax output. */
    public static final String LOGITS = "logits";

    private final String teacher;
    private final boolean initFromTeacher;
    private final List<Term> terms = new ArrayList<>();

    public Distillation(String teacher, boolean initFromTeacher) {
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.initFromTeacher = initFromTeacher;
    }

    /** Adds a term whose tap has the same name in student and teacher. */
    public Distillation term(String name, String tap, DistillationLoss loss, double weight) {
        return term(name, tap, tap, loss, weight);
    }

    public Distillation term(String name, String studentTap, String teacherTap, DistillationLoss loss, double weight) {
        Term t = new Term(name, studentTap, teacherTap, loss, weight);
        if (terms.stream().anyMatch(o -> o.name().equals(name))) {
            throw new IllegalArgumentException("distillation term '" + name + "' declared twice");
        }
        terms.add(t);
        return this;
    }

    public String teacher() {
        return teacher;
    }

    public boolean initFromTeacher() {
        return initFromTeacher;
    }

    public List<Term> terms() {
        return List.copyOf(terms);
    }

    /** Distinct teacher taps in the order the terms first name them. */
    public List<String> teacherTaps() {
        return terms.stream().map(Term::teacherTap).distinct().toList();
    }

    /**
     * The student graph with one {@link DistillationOutput} per term added after its own outputs; not initialised.
     * A term whose tap the graph lacks is refused, naming the tap. Without terms the student only starts from the
     * teacher's weights, and the graph is returned as it is.
     */
    public ComputationGraph attachTo(ComputationGraph student, InputType... inputTypes) {
        if (terms.isEmpty()) {
            if (!initFromTeacher) {
                throw new IllegalArgumentException("a distillation needs at least one term, or to initialise the "
                        + "student from the teacher");
            }
            return student;
        }
        ComputationGraphConfiguration conf = student.getConfiguration();
        var types = conf.getLayerActivationTypes(false, false, inputTypes);
        for (Term t : terms) {
            if (!conf.getVertices().containsKey(t.studentTap())) {
                throw new IllegalArgumentException("distillation term '" + t.name() + "': the student has no tap '"
                        + t.studentTap() + "' (its vertices: " + String.join(", ", conf.getVertices().keySet()) + ")");
            }
            if (conf.getVertices().containsKey(t.output())) {
                throw new IllegalArgumentException("distillation term '" + t.name() + "': the student already has a "
                        + "vertex named " + t.output());
            }
            DistillationOutput out = new DistillationOutput.Builder().loss(t.loss()).weight(t.weight()).build();
            out.setLayerName(t.output());
            out.setNIn(types.get(t.studentTap()), true);
            NeuralNetConfiguration layerConf = conf.getDefaultConfiguration().clone();
            layerConf.setLayer(out);
            conf.getVertices().put(t.output(), new LayerVertex(layerConf, null));
            conf.getVertexInputs().put(t.output(), List.of(t.studentTap()));
            conf.getNetworkOutputs().add(t.output());
        }
        // the graph was sorted when it was built; the new outputs need a new order
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        return new ComputationGraph(conf);
    }
}
