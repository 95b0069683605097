package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.schedule.CosineRampSchedule;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.ReSteEstimator;
import org.qat4j.estimators.sign.SteEstimator;

/** Training behaviour of the layers inside networks: clipping, schedules, state, learning. */
class TrainingTest {

    private static DataSet separable(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 6).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, x.getDouble(i, 0) + x.getDouble(i, 1) > 0 ? 1 : 0, 1);
        }
        return new DataSet(x, y);
    }

    @Test
    void latentClipKeepsWeightsInsideTheRangeAfterEveryUpdate() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .updater(new Sgd(50.0)).list()
                .layer(new QuantDense.Builder().nOut(8).latentClip(0.5)
                        .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(), new XnorScaling(), 0)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(2).build())
                .setInputType(InputType.feedForward(6)).build());
        net.init();
        net.getLayer(0).getParam("W").muli(10);
        for (int i = 0; i < 3; i++) {
            net.fit(separable(32, i));
            INDArray w = net.getLayer(0).getParam("W");
            assertTrue(w.amaxNumber().doubleValue() <= 0.5 + 1e-7, "max |W| = " + w.amaxNumber());
        }
        assertEquals(0.5, net.getLayer(0).getParam("W").amaxNumber().doubleValue(), 1e-7, "large steps hit the clip");
    }

    @Test
    void layersDriveTheirEstimatorSchedulesFromTheNetworkEpoch() {
        ReSteEstimator reste = new ReSteEstimator();
        reste.setOSchedule(new CosineRampSchedule(1, 3, 4));
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .updater(new Adam(1e-2)).list()
                .layer(new QuantDense.Builder().nOut(8)
                        .weightQuantizer(new BinaryWeightQuantizer(reste, new XnorScaling(), 0)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(2).build())
                .setInputType(InputType.feedForward(6)).build());
        net.init();
        ReSteEstimator inNet = (ReSteEstimator) ((BinaryWeightQuantizer) ((QuantDense) net.getLayer(0).conf()
                .getLayer()).getWeightQuantizer()).getEstimator();
        net.fit(separable(16, 1));
        assertEquals(1.0, inNet.getO(), 1e-12);
        net.setEpochCount(2);
        net.fit(separable(16, 2));
        assertEquals(1 + 2 * (1 - Math.cos(Math.PI / 4)), inNet.getO(), 1e-12);
    }

    @Test
    void binaryNetworkLearnsASeparableProblemWithWorkspacesOnAndOff() {
        for (WorkspaceMode mode : new WorkspaceMode[] {WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                    .updater(new Adam(2e-2)).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).list()
                    .layer(new QuantDense.Builder().nOut(32).activation(Activation.IDENTITY).build())
                    .layer(new NativeBatchNorm.Builder().build())
                    .layer(QuantActivation.rsign().build())
                    .layer(new QuantDense.Builder().nOut(32).activation(Activation.IDENTITY).latentClip(1.0)
                            .weightQuantizer(new BinaryWeightQuantizer(new ApproxSignEstimator(), new XnorScaling(),
                                    0)).build())
                    .layer(new NativeBatchNorm.Builder().build())
                    .layer(new RPReLU.Builder().build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                            .nOut(2).build())
                    .setInputType(InputType.feedForward(6)).build());
            net.init();
            DataSet train = separable(256, 11);
            DataSet test = separable(256, 12);
            for (int i = 0; i < 150; i++) {
                net.fit(train);
            }
            org.nd4j.evaluation.classification.Evaluation eval = new org.nd4j.evaluation.classification.Evaluation();
            eval.eval(test.getLabels(), net.output(test.getFeatures()));
            double accuracy = eval.accuracy();
            assertTrue(accuracy > 0.9, mode + ": test accuracy " + accuracy);
        }
    }
}
