package org.qat4j.layers.attention;

import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.layers.QuantDense;

/** Small attention graphs and data for the tests. */
final class AttentionGraphs {

    static final int CLASSES = 3;

    private AttentionGraphs() {
    }

    /**
     * Self-attention with learned projections, as the recipes wire it: x [N, D, L] -> q, k, v (full-precision
     * {@link QuantDense} layers on each position) -> scores -> context -> masked average over positions -> softmax
     * output.
     */
    static ComputationGraphConfiguration projected(long size, long length, AttentionScores scores,
            AttentionContext context, WorkspaceMode mode, IUpdater updater) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(12345)
                .dataType(DataType.DOUBLE).updater(updater).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).graphBuilder().addInputs("x");
        for (String p : new String[] {"q", "k", "v"}) {
            b.addLayer(p, new QuantDense.Builder().nOut(size).activation(Activation.IDENTITY).build(), "x");
        }
        return b.addVertex("scores", scores, "q", "k").addVertex("context", context, "scores", "v")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "context")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nOut(CLASSES).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.recurrent(size, length)).build();
    }

    /** The attention vertices alone, fed q, k, v as three graph inputs, without workspaces. */
    static ComputationGraph direct(long size, long length, AttentionScores scores, AttentionContext context) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE).graphBuilder()
                .addInputs("q", "k", "v").addVertex("scores", scores, "q", "k")
                .addVertex("context", context, "scores", "v")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "context")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nOut(CLASSES).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.recurrent(size, length), InputType.recurrent(size, length),
                        InputType.recurrent(size, length)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    static INDArray gaussian(long seed, long... shape) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, r.nextGaussian());
        }
        return a;
    }

    /** Padding mask [N, L]: example n has {@code L - n} real tokens (the first has none padded). */
    static INDArray mask(long n, long length) {
        INDArray m = Nd4j.zeros(DataType.DOUBLE, n, length);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < length - i; j++) {
                m.putScalar(i, j, 1.0);
            }
        }
        return m;
    }

    static INDArray oneHot(long seed, long n) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, CLASSES);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(CLASSES), 1.0);
        }
        return y;
    }

    static double[][][] array3(INDArray x) {
        double[][][] out = new double[(int) x.size(0)][(int) x.size(1)][(int) x.size(2)];
        for (int a = 0; a < out.length; a++) {
            for (int b = 0; b < out[0].length; b++) {
                for (int c = 0; c < out[0][0].length; c++) {
                    out[a][b][c] = x.getDouble(a, b, c);
                }
            }
        }
        return out;
    }

    static double[][] array2(INDArray x) {
        return x == null ? null : x.toDoubleMatrix();
    }

    static INDArray nd(double[][][] x) {
        return Nd4j.create(x);
    }

    static INDArray nd(double[][][][] x) {
        INDArray out = Nd4j.create(DataType.DOUBLE, x.length, x[0].length, x[0][0].length, x[0][0][0].length);
        for (int a = 0; a < x.length; a++) {
            for (int b = 0; b < x[0].length; b++) {
                for (int c = 0; c < x[0][0].length; c++) {
                    for (int d = 0; d < x[0][0][0].length; d++) {
                        out.putScalar(new int[] {a, b, c, d}, x[a][b][c][d]);
                    }
                }
            }
        }
        return out;
    }
}
