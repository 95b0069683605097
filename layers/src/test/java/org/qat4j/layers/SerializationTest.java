package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.scaling.XnorPlusPlusScaling;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.schedule.CosineRampSchedule;
import org.qat4j.estimators.sign.ReSteEstimator;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.sequence.FirstTokenPooling;
import org.qat4j.layers.sequence.LayerNorm;
import org.qat4j.layers.sequence.PositionEmbedding;
import org.qat4j.layers.sequence.TokenEmbedding;

/** JSON round trips of every layer configuration; save/load with updater state; identical continued training. */
class SerializationTest {

    @TempDir
    Path dir;

    static MultiLayerConfiguration everyLayer(WorkspaceMode mode) {
        ReSteEstimator reste = new ReSteEstimator();
        reste.setOSchedule(new CosineRampSchedule(1, 3, 5));
        return new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list()
                .layer(new QuantConv2D.Builder().name("conv-fp").nOut(4).kernelSize(3, 3).padding(1, 1)
                        .activation(Activation.IDENTITY).build())
                .layer(new NativeBatchNorm.Builder().build())
                .layer(QuantActivation.rsign().name("rsign").build())
                .layer(new QuantConv2D.Builder().name("conv-bin").nOut(6).kernelSize(3, 3)
                        .convolutionMode(ConvolutionMode.Same).stride(2, 2).hasBias(false)
                        .weightQuantizer(new BinaryWeightQuantizer(reste, new XnorScaling(), 0))
                        .outputScaling(new XnorPlusPlusScaling()).latentClip(1.0).activation(Activation.IDENTITY)
                        .build())
                .layer(new QuantDepthwiseConv2D.Builder().kernelSize(3, 3).padding(1, 1)
                        .weightQuantizer(new LmbBinarizer(2, 0)).inputQuantizer(new LsqQuantizer(4, true, true))
                        .activation(Activation.IDENTITY).build())
                .layer(new RPReLU.Builder().build())
                .layer(new LearnableBias.Builder().build())
                .layer(new QuantDense.Builder().nOut(8).activation(Activation.RELU)
                        .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(1.0), new LearnedScaling(true), 0))
                        .inputQuantizer("lsq", Map.of("bits", "4", "signed", "false")).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build();
    }

    static DataSet data(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 2, 8, 8).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(x, y);
    }

    @Test
    void multiLayerConfigurationJsonRoundTrip() {
        MultiLayerConfiguration conf = everyLayer(WorkspaceMode.ENABLED);
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        assertEquals(conf, back);
        assertTrue(json.contains("org.qat4j.layers.QuantConv2D") && json.contains("CosineRampSchedule"));
    }

    @Test
    void graphConfigurationJsonRoundTrip() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("d", new QuantDense.Builder().nOut(4).weightQuantizer("reste", Map.of("o", "2"))
                        .inputQuantizer("approx", Map.of()).build(), "in")
                .addLayer("a", new QuantActivation.Builder().quantizer(new LsqQuantizer(2, false, true)).build(), "d")
                .addLayer("out", new OutputLayer.Builder().nOut(2).build(), "a").setOutputs("out")
                .setInputTypes(InputType.feedForward(5)).build();
        String json = conf.toJson();
        assertEquals(json, ComputationGraphConfiguration.fromJson(json).toJson());
    }

    @Test
    void saveLoadWithUpdaterGivesIdenticalOutputsAndIdenticalContinuedTraining() throws Exception {
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = new MultiLayerNetwork(everyLayer(mode));
            net.init();
            for (int i = 0; i < 3; i++) {
                net.fit(data(i, 6));
            }
            File file = dir.resolve("model-" + mode + ".zip").toFile();
            ModelSerializer.writeModel(net, file, true);
            MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file, true);

            INDArray x = data(99, 5).getFeatures();
            assertEquals(net.output(x, false), back.output(x, false));
            assertEquals(net.params(), back.params());
            assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
            for (int i = 10; i < 13; i++) {
                net.fit(data(i, 6));
                back.fit(data(i, 6));
            }
            assertEquals(net.params(), back.params(), "continued training diverged (" + mode + ")");
            assertTrue(net.params().sumNumber().doubleValue() != 0);
        }
    }

    @Test
    void quantizerStateIsSavedWithTheModel() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(everyLayer(WorkspaceMode.ENABLED));
        net.init();
        net.fit(data(1, 6));
        INDArray s1 = net.getLayer(4).getParam("wqS1");
        assertTrue(s1.sumNumber().doubleValue() > 0, "LMB scale initialised from the data");
        assertEquals(1.0, net.getLayer(4).getParam("wqInitialised").getDouble(0));
        File file = dir.resolve("state.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(1.0, back.getLayer(4).getParam("wqInitialised").getDouble(0));
        assertEquals(s1, back.getLayer(4).getParam("wqS1"));
        assertEquals(net.getLayer(1).getParam(NativeBatchNorm.MEAN_KEY),
                back.getLayer(1).getParam(NativeBatchNorm.MEAN_KEY));
    }

    /** A BERT-like classifier over token ids: every sequence layer, binarized as in BiBERT where it applies. */
    static MultiLayerConfiguration sequenceLayers(WorkspaceMode mode) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list()
                .layer(new TokenEmbedding.Builder().vocabularySize(11).nOut(8).weightQuantizer("bibert", Map.of())
                        .build())
                .layer(new PositionEmbedding.Builder().build())
                .layer(new LayerNorm.Builder().build())
                .layer(new QuantDense.Builder().nOut(8).activation(Activation.GELU).weightQuantizer("bibert", Map.of())
                        .inputQuantizer(new SteEstimator()).build())
                .layer(new QuantActivation.Builder().quantizer(new LsqQuantizer(4, true, true)).build())
                .layer(new LayerNorm.Builder().eps(1e-6).build())
                .layer(new FirstTokenPooling.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build())
                .setInputType(InputType.recurrent(1, 6)).build();
    }

    /** Token ids [n, 6] with a padding mask (example i has 6 - i % 4 tokens) and labels. */
    static DataSet tokens(long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        INDArray ids = Nd4j.zeros(DataType.FLOAT, n, 6);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, n, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < 6 - i % 4; l++) {
                ids.putScalar(i, l, 1 + r.nextInt(10));
                mask.putScalar(i, l, 1);
            }
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(ids, y, mask, null);
    }

    @Test
    void sequenceLayersRoundTripThroughJson() {
        MultiLayerConfiguration conf = sequenceLayers(WorkspaceMode.ENABLED);
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        assertEquals(conf, back);
        assertTrue(json.contains("org.qat4j.layers.sequence.TokenEmbedding") && json.contains("RowCentredBinarizer")
                && json.contains("\"maxLength\" : 6"), json);
    }

    @Test
    void sequenceLayersSaveAndLoadWithIdenticalContinuedTraining() throws Exception {
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = new MultiLayerNetwork(sequenceLayers(mode));
            net.init();
            for (int i = 0; i < 3; i++) {
                net.fit(tokens(i, 8));
            }
            File file = dir.resolve("sequence-" + mode + ".zip").toFile();
            ModelSerializer.writeModel(net, file, true);
            MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file, true);

            DataSet test = tokens(99, 5);
            assertEquals(net.output(test.getFeatures(), false, test.getFeaturesMaskArray(), null),
                    back.output(test.getFeatures(), false, test.getFeaturesMaskArray(), null));
            assertEquals(net.params(), back.params());
            assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
            for (int i = 10; i < 13; i++) {
                net.fit(tokens(i, 8));
                back.fit(tokens(i, 8));
            }
            assertEquals(net.params(), back.params(), "continued training diverged (" + mode + ")");
        }
    }

    @Test
    void computationGraphSavesAndLoads() throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-2))
                .graphBuilder().addInputs("in")
                .addLayer("c", new QuantConv2D.Builder().nOut(3).kernelSize(3, 3)
                        .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(), new XnorScaling(), 0))
                        .inputQuantizer(new SteEstimator()).build(), "in")
                .addLayer("bn", new NativeBatchNorm.Builder().build(), "c")
                .addLayer("out", new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX).build(), "bn")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        g.fit(data(1, 6));
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(g, file, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(file, true);
        INDArray x = data(5, 4).getFeatures();
        assertEquals(g.outputSingle(x), back.outputSingle(x));
        g.fit(data(2, 6));
        back.fit(data(2, 6));
        assertEquals(g.params(), back.params());
    }
}
