package org.qat4j.layers.sequence;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.NoScaling;
import org.qat4j.estimators.sign.IdentityEstimator;

/**
 * Test support for sequence layers: random sequences, token ids, padding masks and labels, and DL4J's gradient
 * checks (DOUBLE) of a layer stack in a MultiLayerNetwork and a ComputationGraph, workspaces enabled and off.
 */
public final class SequenceChecks {

    private SequenceChecks() {
    }

    /** Weights through the identity estimator: the quantized layer computes its full-precision function. */
    public static BinaryWeightQuantizer identityWeights() {
        return new BinaryWeightQuantizer(new IdentityEstimator(), new NoScaling(), 0);
    }

    public static INDArray random(long seed, long... shape) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, r.nextGaussian());
        }
        return a;
    }

    /** Token ids [N, L] in [0, vocabulary), stored as doubles. */
    public static INDArray ids(long seed, int n, int length, int vocabulary) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(DataType.DOUBLE, n, length);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, r.nextInt(vocabulary));
        }
        return a;
    }

    /** A padding mask [N, L]: example 0 full length, the others between 1 and L tokens. */
    public static INDArray mask(long seed, int n, int length) {
        Random r = new Random(seed);
        INDArray m = Nd4j.zeros(DataType.DOUBLE, n, length);
        for (int i = 0; i < n; i++) {
            int tokens = i == 0 ? length : 1 + r.nextInt(length);
            for (int l = 0; l < tokens; l++) {
                m.putScalar(i, l, 1.0);
            }
        }
        return m;
    }

    /** One-hot labels [N, classes]. */
    public static INDArray labels(long seed, int n, int classes) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return y;
    }

    /** One-hot labels per position [N, classes, L]. */
    public static INDArray sequenceLabels(long seed, int n, int classes, int length) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes, length);
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < length; l++) {
                y.putScalar(new int[] {i, r.nextInt(classes), l}, 1.0);
            }
        }
        return y;
    }

    /** Softmax head over [N, C]. */
    public static Layer head(int classes) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nOut(classes).build();
    }

    /** Softmax head at every position of [N, C, L]; the padding mask masks its loss. */
    public static Layer sequenceHead(int classes) {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nOut(classes).build();
    }

    private static NeuralNetConfiguration.Builder base(WorkspaceMode mode) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode);
    }

    /** A network of the layers, the last one its output layer. */
    public static MultiLayerNetwork mln(InputType inputType, WorkspaceMode mode, Layer... layers) {
        NeuralNetConfiguration.ListBuilder b = base(mode).list();
        for (Layer l : layers) {
            b.layer(l);
        }
        MultiLayerConfiguration conf = b.setInputType(inputType).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A chain graph "in" -> l0 -> ... -> out of the layers, the last one its output layer. */
    public static ComputationGraph graph(InputType inputType, WorkspaceMode mode, Layer... layers) {
        ComputationGraphConfiguration.GraphBuilder b = base(mode).graphBuilder().addInputs("in");
        String prev = "in";
        for (int i = 0; i < layers.length; i++) {
            String name = i == layers.length - 1 ? "out" : "l" + i;
            b.addLayer(name, layers[i], prev);
            prev = name;
        }
        ComputationGraph g = new ComputationGraph(b.setOutputs("out").setInputTypes(inputType).build());
        g.init();
        return g;
    }

    /** Parameters from N(0, 0.5^2), so that no initial value (a scale of 1, a shift of 0) hides a term. */
    private static void randomize(INDArray params) {
        params.assign(random(99, params.length()).muli(0.5).reshape(params.shape()));
    }

    /**
     * Gradient checks of the layer stack (its last layer the output layer) in both network types and both
     * workspace modes, at random parameters; mask may be null. No preprocessor may have been inserted between the
     * layers.
     */
    public static void checkAll(InputType inputType, INDArray x, INDArray mask, INDArray y,
            Supplier<Layer[]> layers) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = mln(inputType, mode, layers.get());
            randomize(net.params());
            for (int i = 0; i < net.getnLayers(); i++) {
                assertNull(net.getLayerWiseConfigurations().getInputPreProcess(i), "preprocessor before layer " + i);
            }
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .inputMask(mask).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)), "gradient check failed (MultiLayerNetwork, "
                    + mode + ")");
            ComputationGraph g = graph(inputType, mode, layers.get());
            randomize(g.params());
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(new INDArray[] {x}).labels(new INDArray[] {y})
                    .inputMask(mask == null ? null : new INDArray[] {mask}).epsilon(1e-6).maxRelError(1e-5)
                    .minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)),
                    "gradient check failed (ComputationGraph, " + mode + ")");
        }
    }
}
