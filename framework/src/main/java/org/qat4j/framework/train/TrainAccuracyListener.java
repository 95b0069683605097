package org.qat4j.framework.train;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.layers.LossLayer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training accuracy of each minibatch without a second forward pass. DL4J hands listeners the activations of
 * the training forward pass up to the output layers; the task output comes first (distillation outputs follow it).
 * For a softmax loss layer on a logits vertex the predicted class is the argmax of the logits; for a dense
 * classifier {@code softmax(x W + b)} it is {@code argmax(x W + b)}, one small GEMM on the classifier's input.
 * Models whose first output is neither report NaN.
 */
final class TrainAccuracyListener extends BaseTrainingListener {

    private INDArray predictions;

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        predictions = null;
        if (!(model instanceof ComputationGraph cg)) {
            return;
        }
        String out = cg.getConfiguration().getNetworkOutputs().get(0);
        List<String> inputs = cg.getConfiguration().getVertexInputs().get(out);
        Layer layer = cg.getLayer(out);
        INDArray x = inputs == null || inputs.size() != 1 ? null : activations.get(inputs.get(0));
        if (x == null || x.rank() != 2) {
            return;
        }
        if (layer instanceof LossLayer && layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.LossLayer l
                && l.getActivationFn() instanceof ActivationSoftmax && x.size(1) >= 2) {
            predictions = x.argMax(1);
            return;
        }
        if (!(layer instanceof BaseOutputLayer<?>)) {
            return;
        }
        INDArray w = layer.getParam("W");
        INDArray b = layer.getParam("b");
        if (w == null || w.rank() != 2 || w.size(0) != x.size(1) || w.size(1) < 2) {
            return;
        }
        INDArray z = x.castTo(w.dataType()).mmul(w);
        predictions = (b == null ? z : z.addiRowVector(b)).argMax(1);
    }

    /** Correct predictions of the last minibatch against its one-hot labels, or -1 when not available. */
    long correct(INDArray labels) {
        if (predictions == null || labels.rank() != 2 || labels.size(0) != predictions.length()) {
            return -1;
        }
        return predictions.eq(labels.argMax(1)).castTo(DataType.INT64).sumNumber().longValue();
    }
}
