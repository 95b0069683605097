package org.qat4j.framework.recipe;

import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.framework.data.LabeledExamples;

/**
 * Base of the classification recipes: one input named {@code in}, a softmax cross-entropy output {@code out} over
 * {@link #classes()} classes behind a full-precision {@code logits} layer, accuracy as the metric (and F1 of class 1
 * for two classes), the network defaults of {@link Recipe#networkDefaults}.
 */
public abstract class ClassificationRecipe extends Recipe {

    public static final String INPUT = "in";
    public static final String OUTPUT = "out";

    /** Number of classes of the task. */
    public abstract int classes();

    /**
     * The classifier head every classification recipe ends with: a full-precision dense layer to the logits, named
     * {@value Distillation#LOGITS} so that distillation can tap it, then softmax cross-entropy as the output
     * {@code out}. Returns the output's name.
     */
    protected String classifier(ComputationGraphConfiguration.GraphBuilder g, String input) {
        g.addLayer(Distillation.LOGITS, new DenseLayer.Builder().nOut(classes()).activation(Activation.IDENTITY)
                .build(), input);
        LossLayer out = new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build();
        // DL4J's builder refuses sizes for a loss layer, which then reports an output of size 0 (and warns)
        out.setNIn(classes());
        out.setNOut(classes());
        g.addLayer(OUTPUT, out, Distillation.LOGITS);
        return OUTPUT;
    }

    /** A graph builder with the {@link #networkDefaults} and the input; add layers and the output. */
    protected ComputationGraphConfiguration.GraphBuilder graph(int iterationsPerEpoch) {
        return networkDefaults(iterationsPerEpoch).graphBuilder().addInputs(INPUT).setInputTypes(inputTypes());
    }

    /** Test accuracy, and for two classes the F1 score of class 1. */
    @Override
    public TestScore evaluate(ComputationGraph net, LabeledExamples test) {
        Evaluation eval = evaluation(net, test, batchSize.get());
        return new TestScore(TestScore.ACCURACY, eval.accuracy(), true, String.format(Locale.ROOT,
                "%s %.4f%s", TestScore.ACCURACY, eval.accuracy(), positiveF1(eval, test)));
    }

    /**
     * DL4J's classification evaluation (per-class precision, recall, F1, confusion matrix) on a data set, in
     * minibatches, inference mode, with the features mask of padded examples.
     */
    public static Evaluation evaluation(ComputationGraph net, LabeledExamples data, int batchSize) {
        Evaluation eval = new Evaluation(data.classNames());
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(from + batchSize, data.size());
            int[] rows = new int[to - from];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            DataSet ds = data.batch(rows);
            INDArray[] masks = ds.getFeaturesMaskArray() == null ? null : new INDArray[] {ds.getFeaturesMaskArray()};
            // the task output comes first; distillation outputs follow it
            eval.eval(ds.getLabels(), net.output(false, new INDArray[] {ds.getFeatures()}, masks)[0]);
        }
        return eval;
    }

    /**
     * For a two-class set, ", test F1 x (class)": the F1 score of class 1, the class a binary task detects (spam
     * against ham); empty otherwise.
     */
    public static String positiveF1(Evaluation eval, LabeledExamples data) {
        return data.classes() != 2 ? "" : String.format(Locale.ROOT, ", test F1 %.4f (%s)", eval.f1(1),
                data.classNames().get(1));
    }
}
