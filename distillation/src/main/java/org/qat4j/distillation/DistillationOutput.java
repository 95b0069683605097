package org.qat4j.distillation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.layers.Layers;
import org.qat4j.layers.ParamLayoutLayer;
import org.qat4j.layers.params.ParamEntry;

/**
 * A network output that distils one tap: its input is the student's activation at the tap, its labels the frozen
 * teacher's activation there, and its score {@code weight * L(student, teacher)} for a {@link DistillationLoss} L.
 * DL4J adds the scores of all outputs, so a student graph with the task output and several of these trains on
 * {@code L_task + sum_k weight_k L_k} in one backward pass. The activation is the input unchanged.
 *
 * <p>Takes feed-forward [N, C], recurrent [N, C, L] or convolutional [N, C, H, W] input; {@code nIn} (the channels)
 * sizes the loss's state, which is kept as non-trainable parameters and so saved with the model.
 */
public class DistillationOutput extends ParamLayoutLayer {

    private DistillationLoss loss;
    private double weight = 1.0;

    public DistillationOutput() {
    }

    private DistillationOutput(Builder b) {
        super(b);
        this.loss = Objects.requireNonNull(b.loss, "a distillation output needs a loss");
        this.weight = b.weight;
        if (nIn > 0) {
            nOut = nIn;
        }
    }

    public DistillationLoss getLoss() {
        return loss;
    }

    public void setLoss(DistillationLoss loss) {
        this.loss = Objects.requireNonNull(loss, "loss");
    }

    public double getWeight() {
        return weight;
    }

    public void setWeight(double weight) {
        this.weight = checkWeight(weight);
    }

    private static double checkWeight(double w) {
        Check.nonNegative("distillation weight", w);
        if (Double.isInfinite(w)) {
            throw new IllegalArgumentException("distillation weight must be finite (got " + w + ")");
        }
        return w;
    }

    @Override
    public List<ParamEntry> paramLayout() {
        List<ParamEntry> out = new ArrayList<>();
        if (loss != null && nIn > 0) {
            for (ParamSpec s : loss.stateSpecs(nIn)) {
                out.add(ParamEntry.state(s.name(), s.shape(), s.initValue()));
            }
        }
        return out;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray paramsView, boolean initializeParams, DataType dataType) {
        if (nIn <= 0) {
            throw invalid("the tap's channels (nIn) must be set, or the input type given");
        }
        return Layers.wire(new DistillationOutputLayer(conf, dataType), conf, listeners, layerIndex, paramsView,
                initializeParams);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long c = switch (inputType.getType()) {
            case FF -> ((InputType.InputTypeFeedForward) inputType).getSize();
            case RNN -> ((InputType.InputTypeRecurrent) inputType).getSize();
            case CNN -> ((InputType.InputTypeConvolutional) inputType).getChannels();
            default -> throw invalid("distils feed-forward, recurrent or convolutional taps, got "
                    + inputType);
        };
        if (nIn > 0 && nIn != c && !override) {
            throw invalid("nIn mismatch: configured " + nIn + " channels but the tap has " + c);
        }
        nIn = c;
        nOut = c;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return Layers.memoryReport(this, this, inputType, inputType, 3 * inputType.arrayElementsPerExample());
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        DistillationOutput other = (DistillationOutput) o;
        return Objects.equals(loss, other.loss) && weight == other.weight;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), loss, weight);
    }

    /** Builder: the loss, its weight (default 1) and, unless the input type gives it, nIn. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {

        private DistillationLoss loss;
        private double weight = 1.0;

        public Builder loss(DistillationLoss loss) {
            this.loss = loss;
            return this;
        }

        public Builder weight(double weight) {
            this.weight = checkWeight(weight);
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public DistillationOutput build() {
            return new DistillationOutput(this);
        }
    }
}
