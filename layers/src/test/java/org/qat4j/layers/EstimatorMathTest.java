package org.qat4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.scaling.XnorExactScaling;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.ReSteEstimator;
import org.qat4j.estimators.sign.SteEstimator;

/** With real (non-identity) estimators, each layer's forward and backward equal the estimator math done by hand. */
class EstimatorMathTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static Layer layer(InputType in, org.deeplearning4j.nn.conf.layers.Layer conf) {
        MultiLayerNetwork net = GradientCheckSupport.mln(in, WorkspaceMode.NONE, 2, conf);
        net.initGradientsView();
        return net.getLayer(0);
    }

    private static double sgn(double v) {
        return v >= 0 ? 1 : -1;
    }

    private static double approx(double v) {
        return Math.max(0, 2 - 2 * Math.abs(v));
    }

    private static void assertNear(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-10 * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void denseWithSteXnorWeightsAndApproxSignInputs() {
        Layer l = layer(InputType.feedForward(4), new QuantDense.Builder().nOut(3).activation(Activation.IDENTITY)
                .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(1.0), new XnorScaling(), 0))
                .inputQuantizer(new ApproxSignEstimator()).build());
        INDArray w = GradientCheckSupport.random(1, 3, 4).muli(0.8);
        l.getParam("W").assign(w);
        INDArray b = GradientCheckSupport.random(2, 3);
        l.getParam("b").assign(b);
        INDArray x = GradientCheckSupport.random(3, 5, 4);
        x.putScalar(0, 0, 0.0);
        INDArray eps = GradientCheckSupport.random(4, 5, 3);
        l.setInput(x, NO_WS);
        INDArray out = l.activate(true, NO_WS);
        Pair<Gradient, INDArray> bp = l.backpropGradient(eps, NO_WS);

        double[] alpha = new double[3];
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 4; i++) {
                alpha[o] += Math.abs(w.getDouble(o, i)) / 4;
            }
        }
        for (int n = 0; n < 5; n++) {
            for (int o = 0; o < 3; o++) {
                double z = b.getDouble(o);
                for (int i = 0; i < 4; i++) {
                    z += sgn(x.getDouble(n, i)) * alpha[o] * sgn(w.getDouble(o, i));
                }
                assertNear(z, out.getDouble(n, o), "output");
            }
        }
        INDArray dW = bp.getFirst().getGradientFor("W");
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 4; i++) {
                double dwq = 0;
                for (int n = 0; n < 5; n++) {
                    dwq += eps.getDouble(n, o) * sgn(x.getDouble(n, i));
                }
                double ste = Math.abs(w.getDouble(o, i)) <= 1 ? 1 : 0;
                assertNear(dwq * alpha[o] * ste, dW.getDouble(o, i), "dW");
            }
        }
        for (int n = 0; n < 5; n++) {
            for (int i = 0; i < 4; i++) {
                double dxq = 0;
                for (int o = 0; o < 3; o++) {
                    dxq += eps.getDouble(n, o) * alpha[o] * sgn(w.getDouble(o, i));
                }
                assertNear(dxq * approx(x.getDouble(n, i)), bp.getSecond().getDouble(n, i), "dx");
            }
        }
        INDArray db = bp.getFirst().getGradientFor("b");
        for (int o = 0; o < 3; o++) {
            assertNear(eps.getColumn(o).sumNumber().doubleValue(), db.getDouble(o), "db");
        }
    }

    @Test
    void convWithResteXnorExactPerTensorWeights() {
        ReSteEstimator reste = new ReSteEstimator(2.0, 1.5, 0.1);
        Layer l = layer(InputType.convolutional(4, 4, 2), new QuantConv2D.Builder().nOut(3).kernelSize(3, 3)
                .padding(1, 1).hasBias(false).activation(Activation.IDENTITY)
                .weightQuantizer(new BinaryWeightQuantizer(reste, new XnorExactScaling(), Nd.PER_TENSOR))
                .inputQuantizer(new SteEstimator(1.0)).build());
        INDArray w = GradientCheckSupport.random(5, 3, 2, 3, 3);
        l.getParam("W").assign(w);
        INDArray x = GradientCheckSupport.random(6, 2, 2, 4, 4);
        INDArray eps = GradientCheckSupport.random(7, 2, 3, 4, 4);
        l.setInput(x, NO_WS);
        INDArray out = l.activate(true, NO_WS);
        Pair<Gradient, INDArray> bp = l.backpropGradient(eps, NO_WS);

        double alpha = w.ameanNumber().doubleValue();
        double[][][][] dwq = new double[3][2][3][3];
        double[][][][] dxq = new double[2][2][4][4];
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 3; o++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double z = 0;
                        for (int c = 0; c < 2; c++) {
                            for (int p = 0; p < 3; p++) {
                                for (int q = 0; q < 3; q++) {
                                    int ii = i + p - 1;
                                    int jj = j + q - 1;
                                    if (ii < 0 || jj < 0 || ii >= 4 || jj >= 4) {
                                        continue;
                                    }
                                    double wq = alpha * sgn(w.getDouble(o, c, p, q));
                                    double xq = sgn(x.getDouble(n, c, ii, jj));
                                    z += wq * xq;
                                    dwq[o][c][p][q] += eps.getDouble(n, o, i, j) * xq;
                                    dxq[n][c][ii][jj] += eps.getDouble(n, o, i, j) * wq;
                                }
                            }
                        }
                        assertNear(z, out.getDouble(n, o, i, j), "conv output");
                    }
                }
            }
        }
        double coupling = 0;
        for (int o = 0; o < 3; o++) {
            for (int c = 0; c < 2; c++) {
                for (int p = 0; p < 3; p++) {
                    for (int q = 0; q < 3; q++) {
                        coupling += sgn(w.getDouble(o, c, p, q)) * dwq[o][c][p][q];
                    }
                }
            }
        }
        INDArray dW = bp.getFirst().getGradientFor("W");
        for (int o = 0; o < 3; o++) {
            for (int c = 0; c < 2; c++) {
                for (int p = 0; p < 3; p++) {
                    for (int q = 0; q < 3; q++) {
                        double v = w.getDouble(o, c, p, q);
                        double a = Math.abs(v);
                        double est = a > 1.5 ? 0 : a <= 0.1 ? Math.pow(0.1, -0.5) : 0.5 * Math.pow(a, -0.5);
                        double expected = alpha * dwq[o][c][p][q] * est + sgn(v) / w.length() * coupling;
                        assertNear(expected, dW.getDouble(o, c, p, q), "dW");
                    }
                }
            }
        }
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double ste = Math.abs(x.getDouble(n, c, i, j)) <= 1 ? 1 : 0;
                        assertNear(dxq[n][c][i][j] * ste, bp.getSecond().getDouble(n, c, i, j), "dx");
                    }
                }
            }
        }
    }

    @Test
    void rsignThresholdGradient() {
        Layer l = layer(InputType.convolutional(3, 3, 2), QuantActivation.rsign().build());
        INDArray beta = Nd4j.createFromArray(0.3, -0.2);
        l.getParam(QuantActivation.THRESHOLD_KEY).assign(beta);
        INDArray x = GradientCheckSupport.random(8, 2, 2, 3, 3).muli(0.6);
        INDArray eps = GradientCheckSupport.random(9, 2, 2, 3, 3);
        l.setInput(x, NO_WS);
        INDArray out = l.activate(true, NO_WS);
        Pair<Gradient, INDArray> bp = l.backpropGradient(eps, NO_WS);
        double[] dBeta = new double[2];
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        double t = x.getDouble(n, c, i, j) + beta.getDouble(c);
                        assertNear(sgn(t), out.getDouble(n, c, i, j), "rsign output");
                        double d = approx(t) * eps.getDouble(n, c, i, j);
                        assertNear(d, bp.getSecond().getDouble(n, c, i, j), "dx");
                        dBeta[c] += d;
                    }
                }
            }
        }
        INDArray g = bp.getFirst().getGradientFor(QuantActivation.THRESHOLD_KEY);
        assertNear(dBeta[0], g.getDouble(0), "dbeta0");
        assertNear(dBeta[1], g.getDouble(1), "dbeta1");
    }

    @Test
    void learnedScaleAndLsqStepGradientsReachTheLayerParameters() {
        Layer l = layer(InputType.feedForward(4), new QuantDense.Builder().nOut(3).activation(Activation.IDENTITY)
                .hasBias(false)
                .weightQuantizer(new BinaryWeightQuantizer(new SteEstimator(1.0), new LearnedScaling(false), 0))
                .inputQuantizer(new LsqQuantizer(3, true, true)).build());
        INDArray w = GradientCheckSupport.random(10, 3, 4);
        l.getParam("W").assign(w);
        INDArray x = GradientCheckSupport.random(11, 5, 4);
        INDArray eps = GradientCheckSupport.random(12, 5, 3);
        l.setInput(x, NO_WS);
        l.activate(true, NO_WS);
        double step = l.getParam("aqStep").getDouble(0);
        assertNear(2 * x.ameanNumber().doubleValue() / Math.sqrt(3), step, "LSQ step initialised from the input");
        Pair<Gradient, INDArray> bp = l.backpropGradient(eps, NO_WS);

        LsqQuantizer lsq = new LsqQuantizer(3, true, true);
        Map<String, INDArray> p = Map.of("step", Nd4j.createFromArray(step), "initialised", Nd4j.createFromArray(1.0));
        INDArray xq = lsq.forward(x, p);
        INDArray s = l.getParam("wqScale").reshape(3, 1);
        INDArray wq = Nd.sign(w).muli(s);
        INDArray dwq = eps.transpose().mmul(xq);
        INDArray expectedDs = dwq.mul(Nd.sign(w)).sum(1);
        assertEquals(expectedDs, bp.getFirst().getGradientFor("wqScale").reshape(3));
        QuantGradient lsqGrad = lsq.backward(x, p, eps.mmul(wq));
        assertNear(lsqGrad.param("step").getDouble(0), bp.getFirst().getGradientFor("aqStep").getDouble(0), "dstep");
        INDArray expectedDw = dwq.mul(s).muli(Nd.absAtMost(w, 1.0));
        for (int i = 0; i < 12; i++) {
            assertNear(expectedDw.getDouble(i), bp.getFirst().getGradientFor("W").getDouble(i), "dW");
        }
        for (int i = 0; i < 20; i++) {
            assertNear(lsqGrad.input().getDouble(i), bp.getSecond().getDouble(i), "dx");
        }
    }
}
