package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.sign.IdentityEstimator;

class ChannelLayersTest {

    private static Layer[] stack(boolean conv) {
        Layer first = conv
                ? new QuantConv2D.Builder().nOut(3).kernelSize(2, 2).activation(Activation.IDENTITY).build()
                : new QuantDense.Builder().nOut(3).activation(Activation.IDENTITY).build();
        return new Layer[] {
            first,
            new NativeBatchNorm.Builder().build(),
            new LearnableBias.Builder().build(),
            new QuantActivation.Builder().quantizer(new IdentityEstimator()).learnableThreshold(true).build(),
            new RPReLU.Builder().build(),
        };
    }

    @Test
    void gradientCheckOnFeedForwardInput() {
        GradientCheckSupport.checkAll(InputType.feedForward(4), GradientCheckSupport.random(5, 8, 4), 3,
                () -> stack(false));
    }

    @Test
    void gradientCheckOnConvolutionalInput() {
        GradientCheckSupport.checkAll(InputType.convolutional(4, 4, 2), GradientCheckSupport.random(6, 3, 2, 4, 4), 3,
                () -> stack(true));
    }

    /** Training and inference outputs and the running statistics against the formulas, element by element. */
    @Test
    void batchNormMatchesItsFormulas() {
        int n = 5;
        int c = 3;
        int hw = 4;
        double decay = 0.8;
        double eps = 1e-3;
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(new NativeBatchNorm.Builder().decay(decay).eps(eps).build())
                .setInputType(InputType.convolutional(2, 2, c)).build());
        net.init();
        INDArray gamma = GradientCheckSupport.random(1, c);
        INDArray beta = GradientCheckSupport.random(2, c);
        net.getLayer(0).setParam(NativeBatchNorm.GAMMA_KEY, gamma.reshape(1, c));
        net.getLayer(0).setParam(NativeBatchNorm.BETA_KEY, beta.reshape(1, c));
        INDArray x = GradientCheckSupport.random(3, n, c, 2, 2).muli(3).addi(1);
        INDArray train = net.output(x, true);
        double m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    mean += x.getDouble(i, ch, p / 2, p % 2) / m;
                }
            }
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    sq += Math.pow(x.getDouble(i, ch, p / 2, p % 2) - mean, 2);
                }
            }
            double var = sq / m;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    double expected = gamma.getDouble(ch) * (x.getDouble(i, ch, p / 2, p % 2) - mean)
                            / Math.sqrt(var + eps) + beta.getDouble(ch);
                    assertEquals(expected, train.getDouble(i, ch, p / 2, p % 2), 1e-9);
                }
            }
            double runMean = (1 - decay) * mean;
            double runVar = decay + (1 - decay) * sq / (m - 1);
            assertEquals(runMean, net.getLayer(0).getParam(NativeBatchNorm.MEAN_KEY).getDouble(ch), 1e-12);
            assertEquals(runVar, net.getLayer(0).getParam(NativeBatchNorm.VAR_KEY).getDouble(ch), 1e-12);
            INDArray test = net.output(x, false);
            double x0 = x.getDouble(1, ch, 1, 0);
            assertEquals(gamma.getDouble(ch) * (x0 - runMean) / Math.sqrt(runVar + eps) + beta.getDouble(ch),
                    test.getDouble(1, ch, 1, 0), 1e-9);
        }
    }
}
