package org.qat4j.framework.recipe;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Base of the classification recipes: one input named {@code in}, a softmax cross-entropy output {@code out} over
 * {@link #classes()} classes behind a full-precision {@code logits} layer, accuracy as the metric (and F1 of class 1
 * for two classes), Adam with cosine learning-rate decay (AdamW with {@code weightDecay}), FLOAT, workspaces on.
 */
public abstract class ClassificationRecipe extends Recipe {

    public static final String INPUT = "in";
    public static final String OUTPUT = "out";

    public final Hyperparameters.Param<Integer> trainLimit = hyperparameters().integer("trainLimit", 0, 0,
            Integer.MAX_VALUE, "use only the first N training examples (0 = all)");
    public final Hyperparameters.Param<Integer> testLimit = hyperparameters().integer("testLimit", 0, 0,
            Integer.MAX_VALUE, "evaluate on the first N test examples (0 = all)");
    public final Hyperparameters.Param<Double> weightDecay = hyperparameters().real("weightDecay", 0.0, 0.0, 1.0,
            "decoupled weight decay of conv and dense weights, w -= lr * weightDecay * w (0 = off)");

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

    /**
     * A graph builder with the recipe's seed, optimiser (AdamW when {@code weightDecay} is set: the decay is
     * DL4J's {@code WeightDecay} with the learning rate applied, on weights only, not on biases or norm
     * parameters) and input; add layers and the output.
     */
    protected ComputationGraphConfiguration.GraphBuilder graph(int iterationsPerEpoch) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(seed.get())
                .dataType(DataType.FLOAT)
                .updater(new Adam(new CosineDecaySchedule(learningRate.get(), epochs.get() * iterationsPerEpoch)));
        if (weightDecay.get() > 0) {
            b.weightDecay(weightDecay.get(), true);
        }
        return b.weightInit(WeightInit.XAVIER).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).graphBuilder().addInputs(INPUT)
                .setInputTypes(inputTypes());
    }
}
