package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Invalid configurations fail when the network configuration is built, naming the layer and the setting. */
class ConfigValidationTest {

    private static void build(InputType in, Layer... layers) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().list();
        for (Layer l : layers) {
            b.layer(l);
        }
        b.layer(new OutputLayer.Builder().nOut(2).build()).setInputType(in).build();
    }

    private static void assertFails(Executable e, String... fragments) {
        RuntimeException ex = assertThrows(RuntimeException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "'" + f + "' not in: " + ex.getMessage());
        }
    }

    @Test
    void unknownQuantizerNamesTheLayerAndSetting() {
        assertFails(() -> new QuantDense.Builder().name("fc1").nOut(3).weightQuantizer("sgn", Map.of()).build(),
                "layer 'fc1'", "weightQuantizer", "unknown estimator 'sgn'");
        assertFails(() -> new QuantConv2D.Builder().name("c1").nOut(3).inputQuantizer("lsq", Map.of("bits", "0"))
                .build(), "layer 'c1'", "inputQuantizer", "bits must be in 1..8");
    }

    @Test
    void nInMismatch() {
        assertFails(() -> build(InputType.feedForward(10), new QuantDense.Builder().name("fc").nIn(7).nOut(3).build()),
                "layer 'fc'", "nIn mismatch", "nIn=7", "10");
        assertFails(() -> build(InputType.convolutional(8, 8, 3),
                new QuantConv2D.Builder().name("conv").nIn(4).nOut(3).build()), "layer 'conv'", "nIn mismatch");
        assertFails(() -> build(InputType.feedForward(5), new RPReLU.Builder().name("act").nIn(4).build()),
                "layer 'act'", "nIn mismatch");
    }

    @Test
    void kernelLargerThanInput() {
        assertFails(() -> build(InputType.convolutional(3, 3, 1),
                new QuantConv2D.Builder().name("big").nOut(2).kernelSize(5, 5).build()),
                "layer 'big'", "kernelSize 5x5", "larger than the input 3x3");
        assertFails(() -> build(InputType.convolutional(4, 4, 1),
                new QuantConv2D.Builder().name("dil").nOut(2).kernelSize(3, 3).dilation(2, 2).build()),
                "layer 'dil'", "dilated 5");
    }

    @Test
    void badGeometryAndSettings() {
        assertFails(() -> new QuantConv2D.Builder().name("s").nOut(2).stride(0, 1).build(), "layer 's'", "stride");
        assertFails(() -> new QuantDense.Builder().name("clip").nOut(2).latentClip(-1).build(), "latent clip");
        assertFails(() -> new QuantActivation.Builder().name("qa").build(), "layer 'qa'", "a quantizer must be set");
        assertFails(() -> new NativeBatchNorm.Builder().name("bn").decay(1.5).build(), "layer 'bn'", "decay");
        assertFails(() -> new QuantDepthwiseConv2D.Builder().depthMultiplier(0).name("dw").build(), "depthMultiplier");
    }
}
