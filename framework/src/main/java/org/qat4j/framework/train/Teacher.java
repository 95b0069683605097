package org.qat4j.framework.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.framework.recipe.Distillation;

/**
 * A frozen teacher read from a checkpoint: the activations of its taps for a batch, in inference mode. The teacher
 * is never trained and never written: its checkpoint is only read, and the network that computes the taps shares
 * its parameters read-only.
 *
 * <p>A tap is a vertex of the teacher's graph. The tap {@link Distillation#LOGITS} of a teacher without such a
 * vertex whose first output is a softmax {@code OutputLayer} is {@code x W + b} of that layer's input x.
 */
public final class Teacher {

    private record Tap(String name, int output, INDArray w, INDArray b) {
    }

    private final Path checkpoint;
    private final String recipe;
    private final Map<String, String> derivedState;
    private final String paramsSha256;
    private final ComputationGraph taps;
    private final List<Tap> tapList = new ArrayList<>();

    private Teacher(CheckpointStore.Loaded loaded, List<String> tapNames) {
        this.checkpoint = loaded.path();
        this.recipe = loaded.state().recipe;
        this.derivedState = loaded.state().derivedState;
        ComputationGraph net = loaded.inferenceModel();
        this.paramsSha256 = ParamsHash.of(net);
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs());
        for (String name : tapNames) {
            INDArray w = null;
            INDArray b = null;
            String vertex = name;
            if (!conf.getVertices().containsKey(name)) {
                String out = conf.getNetworkOutputs().get(0);
                List<String> in = conf.getVertexInputs().get(out);
                if (!name.equals(Distillation.LOGITS) || !isSoftmaxDense(conf, out) || in.size() != 1) {
                    throw new IllegalArgumentException("the teacher (" + describe() + ") has no tap '" + name
                            + "' (its vertices: " + String.join(", ", conf.getVertices().keySet()) + ")");
                }
                Layer layer = net.getLayer(out);
                vertex = in.get(0);
                w = layer.getParam("W");
                b = layer.getParam("b");
            }
            if (!outputs.contains(vertex)) {
                outputs.add(vertex);
            }
            tapList.add(new Tap(name, outputs.indexOf(vertex), w, b));
        }
        conf.setNetworkOutputs(outputs);
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        taps = new ComputationGraph(conf);
        taps.init(net.params(), false);
    }

    private static boolean isSoftmaxDense(ComputationGraphConfiguration conf, String vertex) {
        return conf.getVertices().get(vertex) instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof OutputLayer ol
                && ol.getActivationFn() instanceof ActivationSoftmax;
    }

    /** Reads the teacher at {@code path} (run directory, checkpoint directory or model.zip) for these taps. */
    public static Teacher open(Path path, List<String> tapNames) throws IOException {
        CheckpointStore.Loaded loaded;
        try {
            loaded = CheckpointStore.open(path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("teacher: " + e.getMessage());
        }
        return new Teacher(loaded, tapNames);
    }

    /** The checkpoint the teacher was read from. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** What the teacher's recipe derived from its training data (a vocabulary), as its checkpoint recorded. */
    public Map<String, String> derivedState() {
        return derivedState;
    }

    public String recipe() {
        return recipe;
    }

    /** SHA-256 of the teacher's parameters ({@link ParamsHash}), recorded in the student's checkpoints. */
    public String paramsSha256() {
        return paramsSha256;
    }

    public String describe() {
        return "recipe " + recipe + ", checkpoint " + checkpoint;
    }

    /**
     * The teacher's parameters by name (for initialising a student); the weights of an {@code OutputLayer} that
     * supplies the logits tap also appear as those of a {@code logits} layer, the name a student's classifier has.
     */
    public Map<String, INDArray> paramTable() {
        Map<String, INDArray> out = new LinkedHashMap<>(taps.paramTable());
        for (Tap t : tapList) {
            if (t.w() != null) {
                out.putIfAbsent(Distillation.LOGITS + "_W", t.w());
                out.putIfAbsent(Distillation.LOGITS + "_b", t.b());
            }
        }
        return out;
    }

    /**
     * The tap activations for a batch of the network's inputs, in the order of the names the teacher was opened
     * with; {@code masks} are the features masks of padded sequences, or null.
     */
    public INDArray[] taps(INDArray[] features, INDArray[] masks) {
        INDArray[] outs = taps.output(false, features, masks);
        INDArray[] result = new INDArray[tapList.size()];
        for (int i = 0; i < result.length; i++) {
            Tap t = tapList.get(i);
            INDArray a = outs[t.output()];
            result[i] = t.w() == null ? a : a.castTo(t.w().dataType()).mmul(t.w()).addiRowVector(t.b());
        }
        return result;
    }

    /** The shape of each tap for one example, without the minibatch dimension. */
    public static long[] perExample(INDArray a) {
        return Arrays.copyOfRange(a.shape(), 1, a.rank());
    }
}
