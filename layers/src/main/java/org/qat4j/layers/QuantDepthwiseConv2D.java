package org.qat4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Depthwise 2-D convolution with quantized weights and inputs, on the libnd4j {@code depthwise_conv2d} ops.
 * <pre>
 *   y[:, c*m + j] = act(conv(Q_a(x)[:, c], Q_w(W)[c, j]) + b[c*m + j])       W: [iC, m, kH, kW], m = depthMultiplier
 * </pre>
 * The weight's axis 0 is the input channel, so a per-channel weight quantizer (channel axis 0) scales each
 * input channel's filters.
 */
public class QuantDepthwiseConv2D extends QuantConv2D {

    private int depthMultiplier = 1;

    public QuantDepthwiseConv2D() {
    }

    private QuantDepthwiseConv2D(Builder builder) {
        super(builder);
        if (builder.depthMultiplier < 1) {
            throw invalid("depthMultiplier must be >= 1 (got " + builder.depthMultiplier + ")");
        }
        this.depthMultiplier = builder.depthMultiplier;
        if (nIn > 0) {
            nOut = nIn * depthMultiplier;
        }
    }

    public int getDepthMultiplier() {
        return depthMultiplier;
    }

    public void setDepthMultiplier(int depthMultiplier) {
        this.depthMultiplier = depthMultiplier;
    }

    @Override
    public long[] weightShape() {
        return new long[] {nIn, depthMultiplier, kernelSize[0], kernelSize[1]};
    }

    @Override
    protected double[] fans() {
        double k = (double) kernelSize[0] * kernelSize[1];
        return new double[] {k, depthMultiplier * k};
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        super.setNIn(inputType, override);
        nOut = nIn * depthMultiplier;
    }

    @Override
    public String opName() {
        return "depthwise_conv2d";
    }

    /** The op's weight format 1 is [m, iC, kH, kW]. */
    @Override
    public INDArray toOpWeights(INDArray w) {
        return w.permute(1, 0, 2, 3).dup('c');
    }

    @Override
    public INDArray fromOpWeights(INDArray opGrad) {
        return opGrad.permute(1, 0, 2, 3);
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        QuantDepthwiseConv2D other = (QuantDepthwiseConv2D) o;
        return java.util.Objects.equals(depthMultiplier, other.depthMultiplier);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), depthMultiplier);
    }

    /** Builder; {@code nOut} follows from nIn and the depth multiplier. */
    public static class Builder extends QuantConv2D.Builder {
        private int depthMultiplier = 1;

        public Builder depthMultiplier(int m) {
            this.depthMultiplier = m;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public QuantDepthwiseConv2D build() {
            return new QuantDepthwiseConv2D(this);
        }
    }
}
