package org.qat4j.framework.recipe;

import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.data.ImageAugmentation;

/**
 * Base of the Fashion-MNIST classification recipes: 28x28x1 input named {@code in}, ten classes, accuracy as the
 * metric, Adam with cosine learning-rate decay, FLOAT, workspaces on.
 */
public abstract class FashionMnistRecipe extends Recipe {

    public static final String INPUT = "in";
    public static final int CLASSES = 10;
    public static final String OUTPUT = "out";

    public final Hyperparameters.Param<Integer> trainLimit = hyperparameters().integer("trainLimit", 0, 0,
            Integer.MAX_VALUE, "use only the first N training images (0 = all)");
    public final Hyperparameters.Param<Integer> testLimit = hyperparameters().integer("testLimit", 0, 0,
            Integer.MAX_VALUE, "evaluate on the first N test images (0 = all)");
    public final Hyperparameters.Param<Boolean> flip = hyperparameters().flag("flip", false,
            "augment: mirror training images left-right with probability 1/2");
    public final Hyperparameters.Param<Integer> shift = hyperparameters().integer("shift", 0, 0, 8,
            "augment: translate training images by up to N pixels each way (zero fill)");
    public final Hyperparameters.Param<Double> weightDecay = hyperparameters().real("weightDecay", 0.0, 0.0, 1.0,
            "decoupled weight decay of conv and dense weights, w -= lr * weightDecay * w (0 = off)");

    @Override
    public Data loadData(Path dataDir) throws IOException {
        FashionMnist f = FashionMnist.load(dataDir);
        return new Data(f.source(), f.train().limit(trainLimit.get()), f.test().limit(testLimit.get()),
                new ImageAugmentation(flip.get(), shift.get()));
    }

    @Override
    public InputType[] inputTypes() {
        return new InputType[] {InputType.convolutional(28, 28, 1)};
    }

    /**
     * The classifier head every Fashion-MNIST recipe ends with: a full-precision dense layer to the ten logits,
     * named {@value Distillation#LOGITS} so that distillation can tap it, then softmax cross-entropy as the output
     * {@code out}. Returns the output's name.
     */
    protected static String classifier(ComputationGraphConfiguration.GraphBuilder g, String input) {
        g.addLayer(Distillation.LOGITS, new DenseLayer.Builder().nOut(CLASSES).activation(Activation.IDENTITY).build(),
                input);
        LossLayer out = new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build();
        // DL4J's builder refuses sizes for a loss layer, which then reports an output of size 0 (and warns)
        out.setNIn(CLASSES);
        out.setNOut(CLASSES);
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
