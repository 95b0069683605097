package org.qat4j.framework.train;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * An exponential moving average of a network's parameters (the EMA weights diffusion models are evaluated and
 * sampled with), over the flattened parameter vector:
 * <pre>
 *   ema_n = ema_{n-1} + m (1 - d_n) (theta_n - ema_{n-1}) + (1 - m) (theta_n - ema_{n-1}),   d_n = min(d, (1 + n) / (10 + n))
 * </pre>
 * with m = 1 on trainable parameters and 0 on non-trainable state (parameters with a {@link NoOp} updater: norm
 * running statistics, quantizers' "initialised" flags and frozen values), which is copied rather than averaged: an
 * average of a flag means nothing. The warm-up d_n lets the average follow the fast early changes.
 */
final class WeightAverage {

    private final double decay;
    private final INDArray trainable;
    private final INDArray average;

    /** Starts from the network's current parameters, or from a saved average. */
    WeightAverage(ComputationGraph net, double decay, INDArray saved) {
        if (saved != null && (saved.length() != net.numParams() || saved.dataType() != net.params().dataType())) {
            throw new IllegalArgumentException("the checkpoint's weight average has " + saved.length() + " "
                    + saved.dataType() + " values; the model has " + net.numParams() + " "
                    + net.params().dataType());
        }
        this.decay = decay;
        this.trainable = trainableMask(net);
        this.average = saved == null ? net.params().dup().reshape(1, net.numParams())
                : saved.dup().reshape(1, net.numParams());
    }

    /** 1 where the flattened parameter vector holds a trainable parameter, 0 for state. */
    private static INDArray trainableMask(ComputationGraph net) {
        INDArray flat = net.params();
        INDArray mask = Nd4j.zeros(flat.dataType(), 1, flat.length());
        long base = flat.offset();
        for (Layer layer : net.getLayers()) {
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                if (!(layer.conf().getLayer().getUpdaterByParam(p.getKey()) instanceof NoOp)) {
                    long from = p.getValue().offset() - base;
                    mask.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, from + p.getValue().length()))
                            .assign(1);
                }
            }
        }
        return mask;
    }

    /** Folds in the parameters after step {@code n} (1 for the first step). */
    void update(ComputationGraph net, long n) {
        double d = Math.min(decay, (1.0 + n) / (10.0 + n));
        INDArray delta = net.params().reshape(1, average.length()).sub(average);
        average.addi(delta.muli(trainable.mul(-d).addi(1)));
    }

    /** The averaged parameters, flattened as {@link ComputationGraph#params()}. */
    INDArray average() {
        return average;
    }

    /** Runs {@code task} with the average as the network's parameters, then puts the trained ones back. */
    <T> T with(ComputationGraph net, java.util.function.Supplier<T> task) {
        INDArray trained = net.params().dup();
        net.setParams(average);
        try {
            return task.get();
        } finally {
            net.setParams(trained);
        }
    }
}
