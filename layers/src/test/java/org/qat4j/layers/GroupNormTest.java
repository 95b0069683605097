package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.layers.sequence.SequenceChecks;

/** GroupNorm against plain loops (including its layer-norm and instance-norm cases), gradient checks, refusals. */
class GroupNormTest {

    private static final double EPS = 1e-3;

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** A network of the GroupNorm alone, with random gamma and beta. */
    private static MultiLayerNetwork alone(InputType in, int groups) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(new GroupNorm.Builder().groups(groups).eps(EPS).build()).setInputType(in).build());
        net.init();
        long c = net.getLayer(0).getParam(GroupNorm.GAMMA_KEY).length();
        net.getLayer(0).setParam(GroupNorm.GAMMA_KEY, GradientCheckSupport.random(1, c));
        net.getLayer(0).setParam(GroupNorm.BETA_KEY, GradientCheckSupport.random(2, c));
        return net;
    }

    /** x [N, C, ...] as plain arrays [n][c][s], s the positions in row-major order. */
    private static double[][][] plain(INDArray x) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int s = (int) (x.length() / (n * c));
        double[] flat = x.dup('c').data().asDouble();
        double[][][] out = new double[n][c][s];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                System.arraycopy(flat, (i * c + ch) * s, out[i][ch], 0, s);
            }
        }
        return out;
    }

    /** Normalizes, in place, the values of x[i][from..to) at every position with gamma and beta of their channel. */
    private static void normalize(double[][] sample, int from, int to, double[] gamma, double[] beta) {
        double sum = 0;
        int count = 0;
        for (int ch = from; ch < to; ch++) {
            for (double v : sample[ch]) {
                sum += v;
                count++;
            }
        }
        double mean = sum / count;
        double sq = 0;
        for (int ch = from; ch < to; ch++) {
            for (double v : sample[ch]) {
                sq += (v - mean) * (v - mean);
            }
        }
        double inv = 1 / Math.sqrt(sq / count + EPS);
        for (int ch = from; ch < to; ch++) {
            for (int p = 0; p < sample[ch].length; p++) {
                sample[ch][p] = gamma[ch] * (sample[ch][p] - mean) * inv + beta[ch];
            }
        }
    }

    private static double[] vector(MultiLayerNetwork net, String key) {
        return net.getLayer(0).getParam(key).dup().data().asDouble();
    }

    private static void assertClose(double[][][] expected, INDArray actual) {
        double[][][] got = plain(actual);
        for (int i = 0; i < expected.length; i++) {
            for (int ch = 0; ch < expected[i].length; ch++) {
                for (int p = 0; p < expected[i][ch].length; p++) {
                    assertEquals(expected[i][ch][p], got[i][ch][p], 1e-10, "at " + i + ", " + ch + ", " + p);
                }
            }
        }
    }

    /** Forward of each rank against the loop over (sample, group), in training and inference. */
    @Test
    void forwardMatchesThePerGroupLoop() {
        Object[][] cases = {
            {InputType.convolutional(3, 2, 6), new long[] {3, 6, 3, 2}, 3},
            {InputType.feedForward(6), new long[] {4, 6}, 2},
            {InputType.recurrent(6, 5), new long[] {2, 6, 5}, 3},
        };
        for (Object[] k : cases) {
            int groups = (int) k[2];
            MultiLayerNetwork net = alone((InputType) k[0], groups);
            INDArray x = GradientCheckSupport.random(3, (long[]) k[1]).muli(2).addi(1);
            double[][][] expected = plain(x);
            double[] gamma = vector(net, GroupNorm.GAMMA_KEY);
            double[] beta = vector(net, GroupNorm.BETA_KEY);
            int perGroup = gamma.length / groups;
            for (double[][] sample : expected) {
                for (int g = 0; g < groups; g++) {
                    normalize(sample, g * perGroup, (g + 1) * perGroup, gamma, beta);
                }
            }
            for (boolean training : new boolean[] {true, false}) {
                assertClose(expected, net.output(x, training));
            }
        }
    }

    /** G = 1: one normalization over all of (C, H, W) per sample, as layer norm over the whole feature map. */
    @Test
    void oneGroupIsLayerNormOverTheFeatureMap() {
        MultiLayerNetwork net = alone(InputType.convolutional(3, 4, 4), 1);
        INDArray x = GradientCheckSupport.random(4, 2, 4, 3, 4).muli(3).subi(1);
        double[][][] expected = plain(x);
        for (double[][] sample : expected) {
            normalize(sample, 0, 4, vector(net, GroupNorm.GAMMA_KEY), vector(net, GroupNorm.BETA_KEY));
        }
        assertClose(expected, net.output(x, false));
    }

    /** G = C: every channel of every sample normalized over its own H W values, as instance norm. */
    @Test
    void oneChannelPerGroupIsInstanceNorm() {
        MultiLayerNetwork net = alone(InputType.convolutional(3, 4, 4), 4);
        INDArray x = GradientCheckSupport.random(5, 2, 4, 3, 4).muli(3).subi(1);
        double[][][] expected = plain(x);
        for (double[][] sample : expected) {
            for (int ch = 0; ch < 4; ch++) {
                normalize(sample, ch, ch + 1, vector(net, GroupNorm.GAMMA_KEY), vector(net, GroupNorm.BETA_KEY));
            }
        }
        assertClose(expected, net.output(x, true));
    }

    /** Parameters from N(0, 0.5^2), so that gamma = 1 and beta = 0 hide no term. */
    private static void randomize(INDArray params) {
        params.assign(GradientCheckSupport.random(99, params.length()).muli(0.5).reshape(params.shape()));
    }

    /** Gradient checks of a stack with a softmax head, MultiLayerNetwork and ComputationGraph, both workspace modes. */
    private static void check(InputType in, INDArray x, java.util.function.Supplier<Layer[]> layers) {
        INDArray y = GradientCheckSupport.oneHot(7, (int) x.size(0), 3);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = GradientCheckSupport.mln(in, mode, 3, layers.get());
            randomize(net.params());
            GradientCheckSupport.checkMln(net, x, y);
            ComputationGraph g = GradientCheckSupport.graph(in, mode, 3, layers.get());
            randomize(g.params());
            GradientCheckSupport.checkGraph(g, x, y);
        }
    }

    @Test
    void gradientCheckOnFeatureMaps() {
        check(InputType.convolutional(3, 3, 2), GradientCheckSupport.random(6, 3, 2, 3, 3), () -> new Layer[] {
            new QuantConv2D.Builder().nOut(4).kernelSize(2, 2).activation(Activation.IDENTITY).build(),
            new GroupNorm.Builder().groups(2).build(),
        });
    }

    @Test
    void gradientCheckOnVectors() {
        check(InputType.feedForward(3), GradientCheckSupport.random(8, 5, 3), () -> new Layer[] {
            new QuantDense.Builder().nOut(6).activation(Activation.TANH).build(),
            new GroupNorm.Builder().groups(3).eps(1e-3).build(),
        });
    }

    @Test
    void gradientCheckOnSequences() {
        SequenceChecks.checkAll(InputType.recurrent(3, 4), SequenceChecks.random(9, 3, 3, 4), null,
                SequenceChecks.sequenceLabels(10, 3, 2, 4), () -> new Layer[] {
                    new QuantDense.Builder().nOut(4).activation(Activation.TANH).build(),
                    new GroupNorm.Builder().groups(2).build(), SequenceChecks.sequenceHead(2)});
    }

    @Test
    void paddedSequencesAreRefused() {
        MultiLayerNetwork net = SequenceChecks.mln(InputType.recurrent(4, 3), WorkspaceMode.NONE,
                new GroupNorm.Builder().name("gn").groups(2).build(), SequenceChecks.sequenceHead(2));
        INDArray x = SequenceChecks.random(11, 2, 4, 3);
        INDArray mask = SequenceChecks.mask(12, 2, 3);
        assertEquals(2, net.output(x, false).size(0), "unpadded sequences are taken");
        Exception e = assertThrows(DL4JInvalidInputException.class, () -> net.output(x, false, mask, null));
        assertTrue(e.getMessage().contains("layer name: gn") && e.getMessage().contains("padded sequences"),
                e.getMessage());
    }

    @Test
    void groupsThatDoNotDivideTheChannelsAreRefused() {
        Exception e = assertThrows(RuntimeException.class,
                () -> new GroupNorm.Builder().name("gn").nIn(48).groups(32).build());
        assertEquals("layer 'gn' (GroupNorm): groups G=32 does not divide the number of channels C=48",
                e.getMessage());
        e = assertThrows(RuntimeException.class, () -> new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .list().layer(new GroupNorm.Builder().name("gn").build())
                .setInputType(InputType.convolutional(4, 4, 6)).build()));
        assertTrue(e.getMessage().contains("groups G=32 does not divide the number of channels C=6"), e.getMessage());
        assertEquals(32, new GroupNorm.Builder().build().getGroups());
        assertEquals(1e-5, new GroupNorm.Builder().build().getEps());
    }

    @Test
    void badSettingsNameTheLayer() {
        Exception e = assertThrows(RuntimeException.class, () -> new GroupNorm.Builder().name("gn").groups(0).build());
        assertEquals("layer 'gn' (GroupNorm): groups must be >= 1 (got 0)", e.getMessage());
        e = assertThrows(RuntimeException.class, () -> new GroupNorm.Builder().name("gn").eps(0).build());
        assertEquals("layer 'gn' (GroupNorm): eps must be > 0 (got 0.0)", e.getMessage());
        e = assertThrows(RuntimeException.class,
                () -> new GroupNorm.Builder().name("gn").activation(Activation.RELU).build());
        assertTrue(e.getMessage().contains("has no activation function"), e.getMessage());
    }

    @Test
    void configurationRoundTripsThroughJson() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().activation(Activation.RELU).list()
                .layer(new QuantConv2D.Builder().nOut(8).kernelSize(3, 3).build())
                .layer(new GroupNorm.Builder().groups(4).eps(1e-6).build())
                .setInputType(InputType.convolutional(6, 6, 3)).build();
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        assertEquals(conf, back);
        GroupNorm gn = (GroupNorm) back.getConf(1).getLayer();
        assertEquals(4, gn.getGroups());
        assertEquals(1e-6, gn.getEps());
        assertEquals(8, gn.getNIn());
        assertEquals(Activation.IDENTITY.getActivationFunction(), gn.getActivationFn(),
                "the network-wide activation does not reach the layer");
    }
}
