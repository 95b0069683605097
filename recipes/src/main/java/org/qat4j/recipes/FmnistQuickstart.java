package org.qat4j.recipes;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.scaling.XnorScaling;
import org.qat4j.estimators.sign.ApproxSignEstimator;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.NativeBatchNorm;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.RPReLU;

/**
 * A small binary CNN for a first run: FP 3x3 stem (32), two binary 3x3 convolutions (64; RSign inputs, STE + XNOR
 * weights) with batch norm and pooling, RPReLU, global average pooling, FP classifier. Three epochs on the bundled
 * 3,000-image sample take well under two minutes on two cores.
 */
public class FmnistQuickstart extends BinaryCnnRecipe {

    public FmnistQuickstart() {
        epochs.set(3);
        batchSize.set(64);
        learningRate.set(3e-3);
        trainLimit.set(3000);
        testLimit.set(1000);
    }

    @Override
    public String name() {
        return "fmnist-quickstart";
    }

    @Override
    public String description() {
        return "small W1A1 CNN (FP stem and classifier), minutes on the bundled sample";
    }

    @Override
    protected Quantizer weights() {
        return new BinaryWeightQuantizer(new SteEstimator(1.0), new XnorScaling(), 0);
    }

    @Override
    protected Quantizer activations() {
        return new ApproxSignEstimator();
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        g.addLayer("stem", new QuantConv2D.Builder().nOut(32).kernelSize(3, 3).padding(1, 1)
                .activation(Activation.IDENTITY).build(), INPUT);
        g.addLayer("stem-bn", new NativeBatchNorm.Builder().build(), "stem");
        g.addLayer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                "stem-bn");
        String x = quantConvBn(g, "b1", "pool1", 64, 3, 1);
        g.addLayer("pool2", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), x);
        x = quantConvBn(g, "b2", "pool2", 64, 3, 1);
        g.addLayer("act", new RPReLU.Builder().build(), x);
        g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "act");
        return new ComputationGraph(g.setOutputs(classifier(g, "gap")).build());
    }
}
