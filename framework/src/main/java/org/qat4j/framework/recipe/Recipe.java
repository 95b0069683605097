package org.qat4j.framework.recipe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
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

    /** The model's input types, for summaries. */
    public abstract org.deeplearning4j.nn.conf.inputs.InputType[] inputTypes();

    /** The training and evaluation sets, and the random transforms applied to training batches. */
    public record Data(String source, LabeledExamples train, LabeledExamples test, ImageAugmentation augmentation) {

        public Data(String source, LabeledExamples train, LabeledExamples test) {
            this(source, train, test, ImageAugmentation.NONE);
        }
    }
}
