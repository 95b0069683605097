package org.qat4j.framework.recipe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.qat4j.framework.data.ImageAugmentation;
import org.qat4j.framework.data.LabeledExamples;

/**
 * A training recipe in plain Java: the model, the data, the optimiser and its schedule, the number of epochs,
 * batch size and seed, and the evaluation metric. Subclasses declare further hyperparameters on
 * {@link #hyperparameters()}; all of them can be overridden from the command line with {@code --set key=value}.
 * Recipes are found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/org.qat4j.framework.recipe.Recipe}), so a jar on the classpath adds its own.
 * Estimator schedules are part of the model's layer configurations; the trainer drives them through the network's
 * epoch and iteration counters.
 */
public abstract class Recipe {

    private final Hyperparameters hp = new Hyperparameters(name());

    public final Hyperparameters.Param<Integer> epochs = hp.integer("epochs", 10, 1, 100_000, "training epochs");
    public final Hyperparameters.Param<Integer> batchSize = hp.integer("batchSize", 128, 1, 65_536,
            "examples per minibatch");
    public final Hyperparameters.Param<Long> seed = hp.seed("seed", 42L, "seed of initialisation and data order");
    public final Hyperparameters.Param<Double> learningRate = hp.real("learningRate", 1e-3, 0, 10,
            "initial learning rate (cosine decay to 0 over the run)");
    public final Hyperparameters.Param<Integer> trainLimit = hp.integer("trainLimit", 0, 0, Integer.MAX_VALUE,
            "use only the first N training examples (0 = all)");
    public final Hyperparameters.Param<Integer> testLimit = hp.integer("testLimit", 0, 0, Integer.MAX_VALUE,
            "evaluate on the first N test examples (0 = all)");
    public final Hyperparameters.Param<Double> weightDecay = hp.real("weightDecay", 0.0, 0.0, 1.0,
            "decoupled weight decay of conv and dense weights, w -= lr * weightDecay * w (0 = off)");

    /** The name the command line knows the recipe by, e.g. {@code fmnist-quickstart}. */
    public abstract String name();

    /** One line for {@code qat4j list}. */
    public abstract String description();

    public final Hyperparameters hyperparameters() {
        return hp;
    }

    /** Training and evaluation data. */
    public abstract Data loadData(Path dataDir) throws IOException;

    /**
     * The model, not yet initialised; {@code iterationsPerEpoch} lets the learning-rate schedule span the run.
     * Callers use {@link #model(int)}.
     */
    public abstract ComputationGraph buildModel(int iterationsPerEpoch);

    /**
     * {@link #buildModel}, with the outputs of its {@link #distillation()} if it has one, initialised, with every
     * layer's regularization made distinct: DL4J 1.0.0-M2.1 copies a network-wide {@code weightDecay} into each
     * layer and then appends it once more while validating the layer, which would apply the decay twice.
     */
    public final ComputationGraph model(int iterationsPerEpoch) {
        ComputationGraph net = buildModel(iterationsPerEpoch);
        Distillation distillation = distillation();
        if (distillation != null) {
            net = distillation.attachTo(net, inputTypes());
        }
        for (GraphVertex v : net.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                layer.setRegularization(distinct(layer.getRegularization()));
                layer.setRegularizationBias(distinct(layer.getRegularizationBias()));
            }
        }
        net.init();
        return net;
    }

    private static List<Regularization> distinct(List<Regularization> r) {
        return r == null ? null : new ArrayList<>(new LinkedHashSet<>(r));
    }

    /**
     * What the recipe distils from a teacher, or null for none (the default). Distilled recipes declare
     * {@link TeacherSettings} and return {@code settings.distillation().term(...)...}.
     */
    public Distillation distillation() {
        return null;
    }

    /**
     * What the recipe derived from its training data and the model depends on, such as a tokenizer's vocabulary,
     * as named texts; empty by default. Read after {@link #loadData}, saved in every checkpoint, and handed back
     * through {@link #restoreDerivedState} before {@code loadData} when the run resumes or a checkpoint is evaluated,
     * so that they see the data exactly as the run did.
     */
    public Map<String, String> derivedState() {
        return Map.of();
    }

    /** Takes back what {@link #derivedState} gave; the next {@link #loadData} uses it instead of deriving it anew. */
    public void restoreDerivedState(Map<String, String> state) {
    }

    /**
     * The step's minibatch from a batch of examples: the network's inputs, the task labels first (distillation
     * appends its own) and the features masks. By default the examples as they are; a recipe whose network learns
     * something else from the examples (a denoiser learns the noise added to images) builds it here from
     * {@code seed}, a function of the run's seed and the iteration, so that a resumed run draws the same batch.
     */
    public MultiDataSet trainingBatch(DataSet examples, long seed) {
        INDArray mask = examples.getFeaturesMaskArray();
        return new MultiDataSet(new INDArray[] {examples.getFeatures()}, new INDArray[] {examples.getLabels()},
                mask == null ? null : new INDArray[] {mask}, null);
    }

    /**
     * Decay d of the exponential moving average of the weights the trainer keeps, or 0 (the default) for none. With
     * one, evaluation and sampling use the average: {@code ema = ema + (1 - d_n) (theta - ema)} after step n, with
     * the warm-up {@code d_n = min(d, (1 + n) / (10 + n))}; non-trainable state (norm statistics, quantizer flags) is
     * copied, not averaged.
     */
    public double emaDecay() {
        return 0;
    }

    /** The model's score on the test set after an epoch: the metric the run reports and keeps its best of. */
    public abstract TestScore evaluate(ComputationGraph net, LabeledExamples test);

    /**
     * Network-wide defaults of every recipe: the recipe's seed, FLOAT, Adam with cosine learning-rate decay over the
     * run (AdamW when {@code weightDecay} is set: the decay is DL4J's {@code WeightDecay} with the learning rate
     * applied, on weights only, not on biases or norm parameters), Xavier initialisation, workspaces on.
     */
    protected NeuralNetConfiguration.Builder networkDefaults(int iterationsPerEpoch) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(seed.get())
                .dataType(DataType.FLOAT)
                .updater(new Adam(new CosineDecaySchedule(learningRate.get(), epochs.get() * iterationsPerEpoch)));
        if (weightDecay.get() > 0) {
            b.weightDecay(weightDecay.get(), true);
        }
        return b.weightInit(WeightInit.XAVIER).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }

    /** The model's input types, for summaries. */
    public abstract org.deeplearning4j.nn.conf.inputs.InputType[] inputTypes();

    /** The training and evaluation sets, and the random transforms applied to training batches. */
    public record Data(String source, LabeledExamples train, LabeledExamples test, ImageAugmentation augmentation) {

        public Data(String source, LabeledExamples train, LabeledExamples test) {
            this(source, train, test, ImageAugmentation.NONE);
        }
    }
}
