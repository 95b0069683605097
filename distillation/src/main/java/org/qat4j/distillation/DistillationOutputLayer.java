package org.qat4j.distillation;

import java.util.List;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.ConvexOptimizer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.qat4j.layers.impl.QuantizedLayerImpl;

/**
 * Implementation of {@link DistillationOutput}. DL4J's convention for outputs holds: the score is the loss of the
 * batch as a mean (times N without minibatch averaging), the epsilon it sends back is the gradient of the loss
 * summed over the batch, {@code N * weight * dL/ds}, because the updater divides parameter gradients by N.
 */
public class DistillationOutputLayer extends QuantizedLayerImpl<DistillationOutput> implements IOutputLayer {

    private INDArray labels;
    private DistillationLoss.Value last;
    private INDArray lastFor;

    public DistillationOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private DistillationLoss.Value value() {
        if (input == null || labels == null) {
            throw new IllegalStateException("distillation output '" + layerId() + "' needs the student's activation "
                    + "and the teacher's as labels");
        }
        if (last == null || lastFor != input) {
            last = layerConf().getLoss().evaluate(input.castTo(dataType), labels.castTo(dataType), maskArray, params);
            lastFor = input;
        }
        return last;
    }

    @Override
    protected INDArray forward(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        return mgr.dup(ArrayType.ACTIVATIONS, input);
    }

    @Override
    protected Pair<Gradient, INDArray> backward(INDArray epsilon, LayerWorkspaceMgr mgr) {
        INDArray g = value().gradient().mul(layerConf().getWeight() * input.size(0));
        return new Pair<>(newGradient(), mgr.leverageTo(ArrayType.ACTIVATION_GRAD, g.castTo(dataType)));
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr mgr) {
        double loss = layerConf().getWeight() * value().loss();
        score = (conf().isMiniBatch() ? loss : loss * input.size(0)) + fullNetRegTerm;
        return score;
    }

    /** The loss of each example on its own. */
    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr mgr) {
        long n = input.size(0);
        INDArray out = Nd4j.create(DataType.DOUBLE, n, 1);
        for (long i = 0; i < n; i++) {
            INDArray s = input.get(NDArrayIndex.interval(i, i + 1)).castTo(dataType);
            INDArray t = labels.get(NDArrayIndex.interval(i, i + 1)).castTo(dataType);
            INDArray m = maskArray == null ? null : maskArray.get(NDArrayIndex.interval(i, i + 1));
            out.putScalar(i, 0, layerConf().getWeight() * layerConf().getLoss().evaluate(s, t, m, params).loss()
                    + fullNetRegTerm);
        }
        return mgr.leverageTo(ArrayType.ACTIVATIONS, out.castTo(dataType));
    }

    @Override
    public void computeGradientAndScore(LayerWorkspaceMgr mgr) {
        gradient = backpropGradient(null, mgr).getFirst();
        computeScore(0, true, mgr);
    }

    @Override
    public Type type() {
        return input != null && input.rank() == 4 ? Type.CONVOLUTIONAL
                : input != null && input.rank() == 3 ? Type.RECURRENT : Type.FEED_FORWARD;
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr mgr) {
        super.setInput(input, mgr);
        last = null;
    }

    @Override
    public void setLabels(INDArray labels) {
        this.labels = labels;
        last = null;
    }

    @Override
    public INDArray getLabels() {
        return labels;
    }

    @Override
    public boolean needsLabels() {
        return true;
    }

    @Override
    public void clear() {
        super.clear();
        labels = null;
        last = null;
        lastFor = null;
    }

    @Override
    public ConvexOptimizer getOptimizer() {
        return null;
    }

    private UnsupportedOperationException notAClassifier() {
        return new UnsupportedOperationException("distillation output '" + layerId() + "' is not a classifier: it is "
                + "trained and evaluated as part of its network");
    }

    @Override
    public double f1Score(DataSet data) {
        throw notAClassifier();
    }

    @Override
    public double f1Score(INDArray examples, INDArray labels) {
        throw notAClassifier();
    }

    @Override
    public int numLabels() {
        throw notAClassifier();
    }

    @Override
    public void fit(DataSetIterator iter) {
        throw notAClassifier();
    }

    @Override
    public int[] predict(INDArray input) {
        throw notAClassifier();
    }

    @Override
    public List<String> predict(DataSet dataSet) {
        throw notAClassifier();
    }

    @Override
    public void fit(INDArray input, INDArray labels) {
        throw notAClassifier();
    }

    @Override
    public void fit(DataSet data) {
        throw notAClassifier();
    }

    @Override
    public void fit(INDArray examples, int[] labels) {
        throw notAClassifier();
    }
}
