package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The timestep embedding against the formula, its exact derivative by gradient checks, its configuration. */
class SinusoidalEmbeddingTest {

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static MultiLayerNetwork alone(SinusoidalEmbedding embedding, WorkspaceMode mode) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list().layer(embedding)
                .setInputType(InputType.feedForward(1)).build());
        net.init();
        return net;
    }

    @Test
    void forwardMatchesTheFormula() {
        double[] t = {0, 1, 17.5, 250, 999};
        INDArray x = Nd4j.create(t, new long[] {t.length, 1}, DataType.DOUBLE);
        for (double maxPeriod : new double[] {SinusoidalEmbedding.DEFAULT_MAX_PERIOD, 100}) {
            for (int dim : new int[] {2, 8, 12}) {
                for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
                    INDArray y = alone(new SinusoidalEmbedding.Builder().dim(dim).maxPeriod(maxPeriod).build(), mode)
                            .output(x, false);
                    assertArrayEquals(new long[] {t.length, dim}, y.shape());
                    int half = dim / 2;
                    for (int n = 0; n < t.length; n++) {
                        for (int i = 0; i < half; i++) {
                            double w = Math.exp(-Math.log(maxPeriod) * i / half);
                            assertEquals(Math.sin(t[n] * w), y.getDouble(n, i), 1e-10);
                            assertEquals(Math.cos(t[n] * w), y.getDouble(n, half + i), 1e-10);
                        }
                    }
                }
            }
        }
    }

    @Test
    void floatNetworksEmbedInFloat() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .list().layer(new SinusoidalEmbedding.Builder().dim(4).build())
                .setInputType(InputType.feedForward(1)).build());
        net.init();
        INDArray y = net.output(Nd4j.create(new float[] {3f}, new long[] {1, 1}, DataType.FLOAT));
        assertEquals(DataType.FLOAT, y.dataType());
        assertEquals(Math.cos(3 * 0.01), y.getDouble(0, 3), 1e-6);
    }

    /**
     * A dense layer produces t, so that the check covers dL/dt (in a diffusion model t is data; the derivative is
     * exercised here only to prove it exact).
     */
    @Test
    void gradientCheckThroughTheTimestep() {
        GradientCheckSupport.checkAll(InputType.feedForward(3), GradientCheckSupport.random(1, 6, 3).muli(2), 3,
                () -> new Layer[] {
                    new DenseLayer.Builder().nOut(1).activation(Activation.IDENTITY).build(),
                    new SinusoidalEmbedding.Builder().dim(8).maxPeriod(50).build(),
                    new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(),
                });
    }

    @Test
    void badSettingsAndInputsAreRefused() {
        Exception e = assertThrows(RuntimeException.class,
                () -> new SinusoidalEmbedding.Builder().name("temb").dim(7).build());
        assertEquals("layer 'temb' (SinusoidalEmbedding): dim must be even and >= 2 (got 7)", e.getMessage());
        e = assertThrows(RuntimeException.class, () -> new SinusoidalEmbedding.Builder().build());
        assertTrue(e.getMessage().contains("dim must be even and >= 2 (got 0)"), e.getMessage());
        e = assertThrows(RuntimeException.class,
                () -> new SinusoidalEmbedding.Builder().dim(4).maxPeriod(0).build());
        assertTrue(e.getMessage().contains("maxPeriod must be > 0 and finite (got 0.0)"), e.getMessage());
        e = assertThrows(RuntimeException.class,
                () -> new SinusoidalEmbedding.Builder().dim(4).nOut(6).build());
        assertTrue(e.getMessage().contains("nOut 6 differs from dim 4"), e.getMessage());
        e = assertThrows(RuntimeException.class,
                () -> new SinusoidalEmbedding.Builder().dim(4).activation(Activation.RELU).build());
        assertTrue(e.getMessage().contains("has no activation function"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> new NeuralNetConfiguration.Builder().list()
                .layer(new SinusoidalEmbedding.Builder().name("temb").dim(4).build())
                .setInputType(InputType.feedForward(2)).build());
        assertTrue(e.getMessage().contains("layer 'temb'") && e.getMessage().contains(
                "expects one timestep per example, feed-forward input [N, 1]"), e.getMessage());
    }

    @Test
    void configurationRoundTripsThroughJson() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().activation(Activation.RELU).list()
                .layer(new SinusoidalEmbedding.Builder().dim(16).maxPeriod(1000).build())
                .layer(new DenseLayer.Builder().nOut(4).build())
                .setInputType(InputType.feedForward(1)).build();
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        assertEquals(conf, back);
        SinusoidalEmbedding e = (SinusoidalEmbedding) back.getConf(0).getLayer();
        assertEquals(16, e.getDim());
        assertEquals(1000, e.getMaxPeriod());
        assertEquals(16, e.getNOut());
        assertEquals(InputType.feedForward(16), e.getOutputType(0, InputType.feedForward(1)));
    }
}
