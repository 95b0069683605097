package org.qat4j.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DL4J's {@link ReshapeVertex} into a sequence {@code [N, C, L]} that states its length, which attention vertices
 * need when the configuration is built (DL4J's reports {@code InputType.recurrent(C)}, length unknown). The reshape
 * is in c order: a feature map {@code [N, C, H, W]} becomes the sequence of its {@code L = H W} positions, row by
 * row, and the gradient goes back by the inverse reshape. Use {@code new SequenceReshapeVertex(-1, C, H * W)}.
 */
public class SequenceReshapeVertex extends ReshapeVertex {

    public SequenceReshapeVertex(@JsonProperty("newShape") int... newShape) {
        super(DEFAULT_RESHAPE_ORDER, newShape, null);
        if (newShape == null || newShape.length != 3 || newShape[1] <= 0 || newShape[2] <= 0) {
            throw new IllegalArgumentException("a sequence reshape needs [-1 or N, C, L] with C, L > 0, got "
                    + Arrays.toString(newShape));
        }
    }

    @Override
    public SequenceReshapeVertex clone() {
        return new SequenceReshapeVertex(getNewShape().clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceReshapeVertex v && Arrays.equals(v.getNewShape(), getNewShape());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(getNewShape());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return InputType.recurrent(getNewShape()[1], getNewShape()[2]);
    }
}
