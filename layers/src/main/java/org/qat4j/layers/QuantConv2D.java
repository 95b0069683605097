package org.qat4j.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Quantizer;
import org.qat4j.layers.impl.QuantConvolutionLayer;
import org.qat4j.layers.impl.QuantizedLayerImpl;
import org.qat4j.layers.params.ParamEntry;

/**
 * A 2-D convolution (NCHW) with quantized weights and inputs, computed by the libnd4j {@code conv2d} /
 * {@code conv2d_bp} ops (oneDNN-backed on a {@code -onednn} build) rather than DL4J's im2col layer.
 * <pre>
 *   x_q = Q_a(x),   W_q = Q_w(W),   y = act(S(conv(x_q, W_q) + b))        W: [oC, iC, kH, kW]
 *   backward: conv2d_bp gives dL/dx_q, dL/dW_q, dL/db; then S's and each quantizer's backward
 * </pre>
 * {@code S} is an optional output scaling (e.g. {@link org.qat4j.estimators.scaling.XnorPlusPlusScaling}) whose
 * parameters are shaped by the output {@code [1, oC, oH, oW]}. Padding modes follow DL4J's {@link ConvolutionMode}:
 * {@code Same} pads so that {@code oH = ceil(iH / sH)}, {@code Truncate} and {@code Strict} use the explicit padding.
 */
public class QuantConv2D extends QuantizedLayer {

    public static final String OUTPUT_SCALING_PREFIX = "os";

    protected int[] kernelSize = {3, 3};
    protected int[] stride = {1, 1};
    protected int[] padding = {0, 0};
    protected int[] dilation = {1, 1};
    protected ConvolutionMode convolutionMode = ConvolutionMode.Truncate;
    protected Quantizer outputScaling;
    protected long inputHeight;
    protected long inputWidth;

    public QuantConv2D() {
    }

    protected QuantConv2D(Builder builder) {
        super(builder);
        this.kernelSize = builder.kernelSize;
        this.stride = builder.stride;
        this.padding = builder.padding;
        this.dilation = builder.dilation;
        this.convolutionMode = builder.convolutionMode;
        this.outputScaling = builder.outputScaling;
        initializeConstraints(builder);
        validateGeometry();
    }

    private void validateGeometry() {
        check("kernelSize", kernelSize, 1);
        check("stride", stride, 1);
        check("padding", padding, 0);
        check("dilation", dilation, 1);
        if (convolutionMode != ConvolutionMode.Same && convolutionMode != ConvolutionMode.Truncate
                && convolutionMode != ConvolutionMode.Strict) {
            throw invalid("convolutionMode must be Same, Truncate or Strict (got " + convolutionMode + ")");
        }
    }

    private void check(String name, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw invalid(name + " must be two integers >= " + min + " (got " + Arrays.toString(v) + ")");
        }
    }

    /** Output spatial size {oH, oW} for the configured input size; fails naming the layer when it does not fit. */
    public long[] outputSize(long h, long w) {
        long[] out = new long[2];
        long[] in = {h, w};
        for (int i = 0; i < 2; i++) {
            long effective = (long) dilation[i] * (kernelSize[i] - 1) + 1;
            if (convolutionMode == ConvolutionMode.Same) {
                out[i] = (in[i] + stride[i] - 1) / stride[i];
                continue;
            }
            long span = in[i] + 2L * padding[i];
            if (effective > span) {
                throw invalid("kernelSize " + kernelSize[0] + "x" + kernelSize[1] + " (dilated " + effective
                        + ") is larger than the input " + h + "x" + w + " plus padding " + padding[0] + "x" + padding[1]);
            }
            if (convolutionMode == ConvolutionMode.Strict && (span - effective) % stride[i] != 0) {
                throw invalid("ConvolutionMode.Strict: input " + h + "x" + w + " does not divide by stride "
                        + stride[0] + "x" + stride[1] + " with kernel and padding; use Truncate or Same");
            }
            out[i] = (span - effective) / stride[i] + 1;
        }
        return out;
    }

    public long[] outputSize() {
        return outputSize(inputHeight, inputWidth);
    }

    /** Integer arguments of the libnd4j conv ops: kernel, stride, padding, dilation, same mode, NCHW, weights format. */
    public int[] opArgs() {
        return new int[] {kernelSize[0], kernelSize[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
            dilation[1], convolutionMode == ConvolutionMode.Same ? 1 : 0, 0, 1};
    }

    @Override
    public long[] weightShape() {
        return new long[] {nOut, nIn, kernelSize[0], kernelSize[1]};
    }

    /** The libnd4j op computing this convolution; its backward is the op name with {@code _bp}. */
    public String opName() {
        return "conv2d";
    }

    /** The weights as the op takes them (weights format 1, [oC, iC, kH, kW]: the stored layout). */
    public INDArray toOpWeights(INDArray w) {
        return w;
    }

    /** The op's weight gradient in the stored layout. */
    public INDArray fromOpWeights(INDArray opGrad) {
        return opGrad;
    }

    @Override
    protected double[] fans() {
        double k = (double) kernelSize[0] * kernelSize[1];
        return new double[] {nIn * k, nOut * k};
    }

    @Override
    public long[] inputQuantShape() {
        return new long[] {1, nIn, 1, 1};
    }

    @Override
    protected List<ParamEntry> extraParams() {
        List<ParamEntry> out = new ArrayList<>();
        if (outputScaling != null) {
            long[] o = outputSize();
            addQuantizerParams(out, OUTPUT_SCALING_PREFIX, outputScaling, new long[] {1, nOut, o[0], o[1]});
        }
        return out;
    }

    @Override
    protected QuantizedLayerImpl<?> createLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new QuantConvolutionLayer(conf, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional c = convolutional(inputType);
        long[] o = outputSize(c.getHeight(), c.getWidth());
        return InputType.convolutional(o[0], o[1], nOut);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeConvolutional c = convolutional(inputType);
        if (nIn > 0 && nIn != c.getChannels()) {
            throw invalid("nIn mismatch: configured nIn=" + nIn + " but the input has " + c.getChannels()
                    + " channels");
        }
        nIn = c.getChannels();
        inputHeight = c.getHeight();
        inputWidth = c.getWidth();
        outputSize();
    }

    private InputType.InputTypeConvolutional convolutional(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            return c;
        }
        if (t instanceof InputType.InputTypeConvolutionalFlat f) {
            return (InputType.InputTypeConvolutional) InputType.convolutional(f.getHeight(), f.getWidth(), f.getDepth());
        }
        throw invalid("expects convolutional (NCHW) input, got " + t);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
    }

    public int[] getKernelSize() {
        return kernelSize;
    }

    public void setKernelSize(int[] kernelSize) {
        this.kernelSize = kernelSize;
    }

    public int[] getStride() {
        return stride;
    }

    public void setStride(int[] stride) {
        this.stride = stride;
    }

    public int[] getPadding() {
        return padding;
    }

    public void setPadding(int[] padding) {
        this.padding = padding;
    }

    public int[] getDilation() {
        return dilation;
    }

    public void setDilation(int[] dilation) {
        this.dilation = dilation;
    }

    public ConvolutionMode getConvolutionMode() {
        return convolutionMode;
    }

    public void setConvolutionMode(ConvolutionMode convolutionMode) {
        this.convolutionMode = convolutionMode;
    }

    public Quantizer getOutputScaling() {
        return outputScaling;
    }

    @Override
    protected Map<String, Quantizer> quantizersByPrefix() {
        Map<String, Quantizer> out = super.quantizersByPrefix();
        if (outputScaling != null) {
            out.put(OUTPUT_SCALING_PREFIX, outputScaling);
        }
        return out;
    }

    public void setOutputScaling(Quantizer outputScaling) {
        this.outputScaling = outputScaling;
    }

    public long getInputHeight() {
        return inputHeight;
    }

    public void setInputHeight(long inputHeight) {
        this.inputHeight = inputHeight;
    }

    public long getInputWidth() {
        return inputWidth;
    }

    public void setInputWidth(long inputWidth) {
        this.inputWidth = inputWidth;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || o.getClass() != getClass()) {
            return false;
        }
        QuantConv2D other = (QuantConv2D) o;
        return java.util.Arrays.equals(kernelSize, other.kernelSize) && java.util.Arrays.equals(stride, other.stride) && java.util.Arrays.equals(padding, other.padding) && java.util.Arrays.equals(dilation, other.dilation) && java.util.Objects.equals(convolutionMode, other.convolutionMode) && java.util.Objects.equals(outputScaling, other.outputScaling) && java.util.Objects.equals(inputHeight, other.inputHeight) && java.util.Objects.equals(inputWidth, other.inputWidth);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), java.util.Arrays.hashCode(kernelSize), java.util.Arrays.hashCode(stride), java.util.Arrays.hashCode(padding), java.util.Arrays.hashCode(dilation), convolutionMode, outputScaling, inputHeight, inputWidth);
    }

    /** Builder: kernel, stride, padding, dilation, convolution mode, quantizers, optional output scaling. */
    public static class Builder extends QuantizedLayer.Builder<Builder> {
        protected int[] kernelSize = {3, 3};
        protected int[] stride = {1, 1};
        protected int[] padding = {0, 0};
        protected int[] dilation = {1, 1};
        protected ConvolutionMode convolutionMode = ConvolutionMode.Truncate;
        protected Quantizer outputScaling;

        public Builder kernelSize(int h, int w) {
            this.kernelSize = new int[] {h, w};
            return this;
        }

        public Builder stride(int h, int w) {
            this.stride = new int[] {h, w};
            return this;
        }

        public Builder padding(int h, int w) {
            this.padding = new int[] {h, w};
            return this;
        }

        public Builder dilation(int h, int w) {
            this.dilation = new int[] {h, w};
            return this;
        }

        public Builder convolutionMode(ConvolutionMode mode) {
            this.convolutionMode = mode;
            return this;
        }

        /** An output scaling applied before the activation, e.g. XNOR++'s alpha x beta x gamma. */
        public Builder outputScaling(Quantizer scaling) {
            this.outputScaling = scaling;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public QuantConv2D build() {
            return new QuantConv2D(this);
        }
    }
}
