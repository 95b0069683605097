package org.qat4j.layers.summary;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Nd;
import org.qat4j.layers.QuantizedLayer;

/**
 * The flip ratio (larq's metric): the fraction of binary weights whose sign changed since the last measured step.
 * <pre>
 *   flip ratio = (1/N) sum_i 1{sign(W_i(t)) != sign(W_i(t - k))}       over every 1-bit weight of the network
 * </pre>
 * Measured after the parameter update, every {@code frequency} iterations. A high ratio late in training means
 * the latent weights still oscillate around zero.
 */
public class FlipRatioListener extends BaseTrainingListener {

    private final int frequency;
    /** Per layer: the signs of the last measurement and a second buffer, swapped every measurement. */
    private final Map<String, INDArray[]> signs = new HashMap<>();
    private final Map<String, Double> perLayer = new LinkedHashMap<>();
    private double ratio = Double.NaN;

    public FlipRatioListener() {
        this(1);
    }

    public FlipRatioListener(int frequency) {
        if (frequency < 1) {
            throw new IllegalArgumentException("frequency must be >= 1 (got " + frequency + ")");
        }
        this.frequency = frequency;
    }

    /** The last measured ratio over all binary weights; NaN before the second measurement. */
    public double flipRatio() {
        return ratio;
    }

    /** The last measured ratio of each binary layer. */
    public Map<String, Double> perLayer() {
        return Map.copyOf(perLayer);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (iteration % frequency != 0) {
            return;
        }
        Map<String, Layer> layers = new LinkedHashMap<>();
        if (model instanceof MultiLayerNetwork net) {
            for (int i = 0; i < net.getnLayers(); i++) {
                layers.put(String.valueOf(i), net.getLayer(i));
            }
        } else if (model instanceof ComputationGraph g) {
            for (Layer l : g.getLayers()) {
                layers.put(l.conf().getLayer().getLayerName(), l);
            }
        }
        long flipped = 0;
        long total = 0;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (Map.Entry<String, Layer> e : layers.entrySet()) {
                if (!(e.getValue().conf().getLayer() instanceof QuantizedLayer q) || q.getWeightQuantizer() == null
                        || q.getWeightQuantizer().bitsPerValue() != 1) {
                    continue;
                }
                INDArray w = e.getValue().getParam(QuantizedLayer.WEIGHT_KEY);
                INDArray[] buffers = signs.get(e.getKey());
                if (buffers == null || buffers[0].length() != w.length()) {
                    signs.put(e.getKey(), new INDArray[] {Nd.signInPlace(w.dup()), w.ulike()});
                    continue;
                }
                INDArray current = Nd.signInPlace(buffers[1].assign(w));
                long n = (long) Transforms.abs(buffers[0].subi(current), false).sumNumber().doubleValue() / 2;
                signs.put(e.getKey(), new INDArray[] {current, buffers[0]});
                perLayer.put(e.getKey(), n / (double) w.length());
                flipped += n;
                total += w.length();
            }
        }
        if (total > 0) {
            ratio = flipped / (double) total;
        }
    }
}
