package org.qat4j.framework.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.framework.recipe.Distillation;
import org.qat4j.framework.recipe.FashionMnistRecipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.diffusion.DiffusionImages;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.ParamsHash;

/**
 * The feature extractor of FID-FMNIST: a trained Fashion-MNIST classifier read from one of our checkpoints, whose
 * features for an image are the activations of its penultimate vertex, the single input of its {@code logits} dense
 * layer (for {@code fmnist-resnet-fp32} the global average pooling {@code gap}, 128 features), computed in inference
 * mode (batch norm on its running statistics). It also gives the classifier's predicted label,
 * {@code argmax(logits)}, of each image. The checkpoint is only read; the network that exposes the features shares
 * its parameters read-only.
 *
 * <p>Images are either [N, 1, 28, 28] in the classifier's range [0, 1] (as {@code LabeledImages} holds them), or
 * [N, 1, 32, 32] in the diffusion models' range [-1, 1], converted by {@link #fromDiffusionRange}.
 */
public final class ClassifierFeatures {

    /** Images per forward pass. */
    public static final int BATCH = 256;
    private static final int SIDE = 28;

    /** Features [N, width] in DOUBLE and the predicted class of each image. */
    public record Output(INDArray features, int[] predicted) {
    }

    private final Path checkpoint;
    private final String recipe;
    private final String paramsSha256;
    private final String featureVertex;
    private final int width;
    private final int classes;
    private final ComputationGraph net;
    private final int featureOutput;
    private final int logitsOutput;

    private ClassifierFeatures(CheckpointStore.Loaded loaded) {
        this.checkpoint = loaded.path();
        this.recipe = loaded.state().recipe;
        if (!(Recipes.create(recipe) instanceof FashionMnistRecipe)) {
            throw new IllegalArgumentException("classifier (" + describe() + "): the recipe '" + recipe
                    + "' does not classify Fashion-MNIST images");
        }
        ComputationGraph trained = loaded.model();
        this.paramsSha256 = ParamsHash.of(trained);
        ComputationGraphConfiguration conf = trained.getConfiguration().clone();
        // the recipes' head is a dense 'logits' layer; older checkpoints end in a softmax OutputLayer instead,
        // whose argmax is the same prediction
        String logits = conf.getVertices().containsKey(Distillation.LOGITS) ? Distillation.LOGITS
                : conf.getNetworkOutputs().get(0);
        List<String> logitsInputs = conf.getVertexInputs().get(logits);
        if (!(conf.getVertices().get(logits) instanceof LayerVertex lv)
                || !(lv.getLayerConf().getLayer() instanceof FeedForwardLayer dense)
                || (!logits.equals(Distillation.LOGITS) && !(dense instanceof OutputLayer out
                        && out.getActivationFn() instanceof ActivationSoftmax))) {
            throw new IllegalArgumentException("classifier (" + describe() + ") has neither a dense layer '"
                    + Distillation.LOGITS + "' nor a softmax output layer, whose input FID-FMNIST takes as features "
                    + "(its vertices: " + String.join(", ", conf.getVertices().keySet()) + ")");
        }
        if (logitsInputs == null || logitsInputs.size() != 1 || conf.getNetworkInputs().contains(logitsInputs.get(0))) {
            throw new IllegalArgumentException("classifier (" + describe() + "): the layer '" + logits
                    + "' must read one hidden vertex, not " + logitsInputs);
        }
        this.featureVertex = logitsInputs.get(0);
        this.width = (int) dense.getNIn();
        this.classes = (int) dense.getNOut();
        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs());
        for (String v : List.of(featureVertex, logits)) {
            if (!outputs.contains(v)) {
                outputs.add(v);
            }
        }
        this.featureOutput = outputs.indexOf(featureVertex);
        this.logitsOutput = outputs.indexOf(logits);
        conf.setNetworkOutputs(outputs);
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        this.net = new ComputationGraph(conf);
        net.init(trained.params(), false);
    }

    /** Reads the classifier at {@code path}: a run directory (its newest good checkpoint), checkpoint or model.zip. */
    public static ClassifierFeatures open(Path path) throws IOException {
        CheckpointStore.Loaded loaded;
        try {
            loaded = CheckpointStore.open(path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("classifier: " + e.getMessage());
        }
        return new ClassifierFeatures(loaded);
    }

    public Path checkpoint() {
        return checkpoint;
    }

    public String recipe() {
        return recipe;
    }

    /** SHA-256 of the classifier's parameters ({@link ParamsHash}): FID values are comparable only under one. */
    public String paramsSha256() {
        return paramsSha256;
    }

    /** The vertex whose activations are the features. */
    public String featureVertex() {
        return featureVertex;
    }

    /** Number of features per image. */
    public int width() {
        return width;
    }

    /** Number of classes the classifier predicts. */
    public int classes() {
        return classes;
    }

    public String describe() {
        return "recipe " + recipe + ", checkpoint " + checkpoint;
    }

    /**
     * Features and predicted labels of images [N, 1, 28, 28] in [0, 1] or [N, 1, 32, 32] in [-1, 1], computed
     * {@value #BATCH} at a time in inference mode.
     */
    public synchronized Output compute(INDArray images) {
        INDArray x = classifierInput(images);
        long n = x.size(0);
        INDArray features = Nd4j.create(DataType.DOUBLE, n, width);
        int[] predicted = new int[(int) n];
        DataType type = net.params().dataType();
        for (long start = 0; start < n; start += BATCH) {
            long end = Math.min(n, start + BATCH);
            INDArray batch = x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all()).castTo(type).dup('c');
            INDArray[] outs = net.output(false, batch);
            features.get(NDArrayIndex.interval(start, end), NDArrayIndex.all())
                    .assign(outs[featureOutput].reshape(end - start, width).castTo(DataType.DOUBLE));
            int[] argMax = outs[logitsOutput].argMax(1).toIntVector();
            System.arraycopy(argMax, 0, predicted, (int) start, argMax.length);
        }
        return new Output(features, predicted);
    }

    private static INDArray classifierInput(INDArray images) {
        long[] s = images.shape();
        boolean classifierShape = s.length == 4 && s[1] == 1 && s[2] == SIDE && s[3] == SIDE;
        boolean diffusionShape = s.length == 4 && s[1] == 1 && s[2] == DiffusionImages.SIZE
                && s[3] == DiffusionImages.SIZE;
        if ((!classifierShape && !diffusionShape) || s[0] == 0) {
            throw new IllegalArgumentException("images: expected [N, 1, 28, 28] in the classifier's range [0, 1] or "
                    + "[N, 1, 32, 32] in the diffusion range [-1, 1] with N >= 1, got " + Arrays.toString(s));
        }
        if (!GaussianStats.finite(images)) {
            throw new IllegalArgumentException("images: " + s[0] + " images hold non-finite values");
        }
        if (diffusionShape) {
            return DiffusionImages.toClassifierRange(images);
        }
        double min = images.minNumber().doubleValue();
        double max = images.maxNumber().doubleValue();
        if (min < 0 || max > 1) {
            throw new IllegalArgumentException("images: 28x28 images must be in the classifier's range [0, 1], found "
                    + "values in [" + min + ", " + max + "] (diffusion samples go in as [N, 1, 32, 32] in [-1, 1])");
        }
        return images;
    }
}
