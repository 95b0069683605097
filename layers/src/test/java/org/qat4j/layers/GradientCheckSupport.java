package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
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

/** Builds small DOUBLE networks around layers under test and runs DL4J's gradient checks on them. */
final class GradientCheckSupport {

    private GradientCheckSupport() {
    }

    /** Weights through the identity estimator: the quantized layer computes its full-precision function. */
    static BinaryWeightQuantizer identityWeights() {
        return new BinaryWeightQuantizer(new IdentityEstimator(), new NoScaling(), 0);
    }

    static INDArray random(long seed, long... shape) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, r.nextGaussian());
        }
        return a;
    }

    static INDArray oneHot(long seed, int n, int classes) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return y;
    }

    static MultiLayerNetwork mln(InputType inputType, WorkspaceMode mode, int classes, Layer... layers) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(12345)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list();
        for (Layer l : layers) {
            b.layer(l);
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nOut(classes).build());
        MultiLayerConfiguration conf = b.setInputType(inputType).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph graph(InputType inputType, WorkspaceMode mode, int classes, Layer... layers) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(12345)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).graphBuilder().addInputs("in");
        String prev = "in";
        for (int i = 0; i < layers.length; i++) {
            b.addLayer("l" + i, layers[i], prev);
            prev = "l" + i;
        }
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nOut(classes).build(), prev).setOutputs("out").setInputTypes(inputType);
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    static void checkMln(MultiLayerNetwork net, INDArray x, INDArray y) {
        checkMln(net, x, y, Set.of());
    }

    /** A gradient check skipping the given parameters ("0_wqScale": layer index, '_', key), e.g. state. */
    static void checkMln(MultiLayerNetwork net, INDArray x, INDArray y, Set<String> exclude) {
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8).excludeParams(exclude)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed (MultiLayerNetwork)");
    }

    static void checkGraph(ComputationGraph net, INDArray x, INDArray y) {
        checkGraph(net, x, y, Set.of());
    }

    /** A gradient check skipping the given parameters ("l0_wqScale": vertex name, '_', key), e.g. state. */
    static void checkGraph(ComputationGraph net, INDArray x, INDArray y, Set<String> exclude) {
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {x}).labels(new INDArray[] {y}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-8).excludeParams(exclude).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed (ComputationGraph)");
    }

    /** Gradient checks of the layers in both network types and both workspace modes. */
    static void checkAll(InputType inputType, INDArray x, int classes, java.util.function.Supplier<Layer[]> layers) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        INDArray y = oneHot(7, (int) x.size(0), classes);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            checkMln(mln(inputType, mode, classes, layers.get()), x, y);
            checkGraph(graph(inputType, mode, classes, layers.get()), x, y);
        }
    }
}
