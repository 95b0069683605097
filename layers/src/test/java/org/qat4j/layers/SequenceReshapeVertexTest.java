package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.layers.attention.AttentionContext;
import org.qat4j.layers.attention.AttentionFunction;
import org.qat4j.layers.attention.AttentionScores;

/**
 * A feature map as a sequence of its positions, as a U-Net's self-attention sees it: the vertex's shapes and type,
 * and a gradient check of x + conv1x1(attention(conv1x1(x) ...)) over a 3x2 map.
 */
class SequenceReshapeVertexTest {

    private static final int C = 4;
    private static final int H = 3;
    private static final int W = 2;

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static ComputationGraphConfiguration attention(WorkspaceMode mode) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).graphBuilder().addInputs("x");
        for (String p : new String[] {"q", "k", "v"}) {
            g.addLayer(p, new QuantConv2D.Builder().nOut(C).kernelSize(1, 1).activation(Activation.IDENTITY)
                    .build(), "x");
            g.addVertex(p + "-seq", new SequenceReshapeVertex(-1, C, H * W), p);
        }
        return g.addVertex("scores", new AttentionScores.Builder().heads(2).build(), "q-seq", "k-seq")
                .addVertex("context", new AttentionContext.Builder().heads(2).function(AttentionFunction.SOFTMAX)
                        .build(), "scores", "v-seq")
                .addVertex("map", new ReshapeVertex(-1, C, H, W), "context")
                .addLayer("o", new QuantConv2D.Builder().nOut(C).kernelSize(1, 1).activation(Activation.IDENTITY)
                        .build(), "map")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "x", "o")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "add")
                .setOutputs("loss").setInputTypes(InputType.convolutional(H, W, C)).build();
    }

    @Test
    void aFeatureMapBecomesTheSequenceOfItsPositionsRowByRow() {
        ComputationGraph g = new ComputationGraph(attention(WorkspaceMode.ENABLED));
        g.init();
        INDArray x = GradientCheckSupport.random(1, 2, C, H, W);
        INDArray q = g.feedForward(x, false).get("q");
        INDArray seq = g.feedForward(x, false).get("q-seq");
        assertEquals(InputType.recurrent(C, H * W), attention(WorkspaceMode.ENABLED).getLayerActivationTypes(
                InputType.convolutional(H, W, C)).get("q-seq"));
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < C; c++) {
                for (int i = 0; i < H; i++) {
                    for (int j = 0; j < W; j++) {
                        assertEquals(q.getDouble(n, c, i, j), seq.getDouble(n, c, i * W + j), 0.0);
                    }
                }
            }
        }
    }

    @Test
    void gradientCheckOfSelfAttentionOverAFeatureMap() {
        INDArray x = GradientCheckSupport.random(3, 2, C, H, W);
        INDArray y = GradientCheckSupport.random(4, 2, C, H, W);
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            ComputationGraph g = new ComputationGraph(attention(mode));
            g.init();
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(new INDArray[] {x}).labels(new INDArray[] {y}).excludeParams(Set.of())
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)), "gradient check failed (" + mode + ")");
        }
    }

    @Test
    void configurationRoundTripsThroughJsonAndClones() {
        ComputationGraphConfiguration conf = attention(WorkspaceMode.ENABLED);
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(json, back.toJson());
        assertEquals(new SequenceReshapeVertex(-1, C, H * W),
                assertInstanceOf(SequenceReshapeVertex.class, back.getVertices().get("k-seq")));
        assertInstanceOf(SequenceReshapeVertex.class, conf.clone().getVertices().get("v-seq"));
        assertThrows(IllegalArgumentException.class, () -> new SequenceReshapeVertex(-1, C));
        assertThrows(IllegalArgumentException.class, () -> new SequenceReshapeVertex(-1, C, 0));
    }
}
