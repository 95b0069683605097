package org.qat4j.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.QuantDense;

/**
 * Forward + backward time per minibatch (batch 64, FLOAT) of the qat4j layers against DL4J's float layers and the
 * bare libnd4j ops, each layer inside a one-layer network ({@code computeGradientAndScore}: workspaces on, no
 * updater step). Run with the command in BENCHMARKS.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
public class LayerBenchmark {

    private static final int BATCH = 64;

    static MultiLayerNetwork network(InputType in, Layer layer, Layer loss) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).list().layer(layer).layer(loss).setInputType(in)
                .build());
        net.init();
        return net;
    }

    /** The loss layer alone: its time is part of every network time above, so it is measured to be subtracted. */
    static MultiLayerNetwork lossOnly(InputType in, Layer loss) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED).list().layer(loss).setInputType(in).build());
        net.init();
        return net;
    }

    static BinaryWeightQuantizer binaryXnor() {
        return new BinaryWeightQuantizer(new SteEstimator(1.0), new XnorScaling(), 0);
    }

    /** 3x3 convolutions, channels -> channels, same size: "64x28" = 64 channels on 28x28. */
    @State(Scope.Benchmark)
    public static class Conv {
        @Param({"64x28", "128x14"})
        public String shape;

        MultiLayerNetwork dl4j;
        MultiLayerNetwork quant;
        MultiLayerNetwork lossOnly;
        INDArray x;
        INDArray w;
        INDArray y;
        INDArray gx;
        INDArray gw;
        final int[] args = {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1};

        @Setup(Level.Trial)
        public void setUp() {
            int c = Integer.parseInt(shape.split("x")[0]);
            int s = Integer.parseInt(shape.split("x")[1]);
            InputType in = InputType.convolutional(s, s, c);
            Layer loss = new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                    .build();
            dl4j = network(in, new ConvolutionLayer.Builder(3, 3).nOut(c).padding(1, 1)
                    .activation(Activation.IDENTITY).build(), loss.clone());
            quant = network(in, new QuantConv2D.Builder().nOut(c).kernelSize(3, 3).padding(1, 1)
                    .activation(Activation.IDENTITY).weightQuantizer(binaryXnor())
                    .inputQuantizer(new SteEstimator(1.0)).build(), loss.clone());
            lossOnly = lossOnly(in, loss.clone());
            x = Nd4j.rand(DataType.FLOAT, BATCH, c, s, s).subi(0.5);
            INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, c, s, s);
            for (MultiLayerNetwork n : new MultiLayerNetwork[] {dl4j, quant, lossOnly}) {
                n.setInput(x);
                n.setLabels(labels);
            }
            w = Nd4j.rand(DataType.FLOAT, c, c, 3, 3).subi(0.5);
            y = x.ulike();
            gx = x.ulike();
            gw = w.ulike();
        }
    }

    @Benchmark
    public double convDl4jConvolutionLayer(Conv s) {
        s.dl4j.computeGradientAndScore();
        return s.dl4j.score();
    }

    @Benchmark
    public double convQuantConv2D(Conv s) {
        s.quant.computeGradientAndScore();
        return s.quant.score();
    }

    @Benchmark
    public double convLossLayerOnly(Conv s) {
        s.lossOnly.computeGradientAndScore();
        return s.lossOnly.score();
    }

    @Benchmark
    public INDArray convBareLibnd4jOps(Conv s) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(s.x, s.w).addOutputs(s.y)
                .addIntegerArguments(s.args).build());
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(s.x, s.w, s.y).addOutputs(s.gx, s.gw)
                .addIntegerArguments(s.args).build());
        return s.gw;
    }

    /** Batch normalization of 64 channels on 28x28. */
    @State(Scope.Benchmark)
    public static class Norm {
        MultiLayerNetwork dl4j;
        MultiLayerNetwork nativeBn;

        @Setup(Level.Trial)
        public void setUp() {
            InputType in = InputType.convolutional(28, 28, 64);
            Layer loss = new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                    .build();
            dl4j = network(in, new BatchNormalization.Builder().build(), loss.clone());
            nativeBn = network(in, new NativeBatchNorm.Builder().build(), loss.clone());
            INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 64, 28, 28);
            INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, 64, 28, 28);
            for (MultiLayerNetwork n : new MultiLayerNetwork[] {dl4j, nativeBn}) {
                n.setInput(x);
                n.setLabels(labels);
            }
        }
    }

    @Benchmark
    public double bnDl4jBatchNormalization(Norm s) {
        s.dl4j.computeGradientAndScore();
        return s.dl4j.score();
    }

    @Benchmark
    public double bnNativeBatchNorm(Norm s) {
        s.nativeBn.computeGradientAndScore();
        return s.nativeBn.score();
    }

    /** 6272 -> 512 fully connected (the flattened 128x7x7 features of the CNN recipes). */
    @State(Scope.Benchmark)
    public static class Dense {
        MultiLayerNetwork dl4j;
        MultiLayerNetwork quant;

        @Setup(Level.Trial)
        public void setUp() {
            InputType in = InputType.feedForward(6272);
            Layer loss = new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build();
            dl4j = network(in, new DenseLayer.Builder().nOut(512).activation(Activation.IDENTITY).build(),
                    loss.clone());
            quant = network(in, new QuantDense.Builder().nOut(512).activation(Activation.IDENTITY)
                    .weightQuantizer(binaryXnor()).inputQuantizer(new SteEstimator(1.0)).build(), loss.clone());
            INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 6272).subi(0.5);
            INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, 512);
            for (MultiLayerNetwork n : new MultiLayerNetwork[] {dl4j, quant}) {
                n.setInput(x);
                n.setLabels(labels);
            }
        }
    }

    @Benchmark
    public double denseDl4jDenseLayer(Dense s) {
        s.dl4j.computeGradientAndScore();
        return s.dl4j.score();
    }

    @Benchmark
    public double denseQuantDense(Dense s) {
        s.quant.computeGradientAndScore();
        return s.quant.score();
    }
}
