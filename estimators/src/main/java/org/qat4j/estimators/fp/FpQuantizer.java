package org.qat4j.estimators.fp;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;

/**
 * Fake quantization to a low-bit floating-point format (FP8 E4M3/E5M2, FP4 E2M1).
 * <pre>
 *   x_s   = x / scale,   q = scale * FP(x_s)        (FP: saturate to +-max, round to nearest, ties to even)
 *   dL/dx = g 1{|x_s| &lt;= max}                       (STE inside the range, 0 where saturated)
 *   dL/dscale = gs sum g (FP(x_s) - x_s) inside, g sign(x_s) max where saturated,  gs = 1/sqrt(N P)
 * </pre>
 * Scale modes: {@code none} (scale 1), {@code max} ({@code max|x| / max}, per tensor or channel, recomputed each
 * call, detached) and {@code learned} (a parameter initialised like {@code max} on the first forward, with the
 * LSQ-style gradient above; qat4j takes P = the format's number of positive finite values for LSQ's QP).
 */
public class FpQuantizer extends ChannelQuantizer {

    public static final String SCALE = "scale";

    /** Where the scale comes from. */
    public enum ScaleMode { NONE, MAX, LEARNED }

    private FpFormat format = FpFormat.E4M3;
    private ScaleMode scaleMode = ScaleMode.MAX;

    @Override
    public double bitsPerValue() {
        return format.bits();
    }

    public FpQuantizer() {
        super(Nd.PER_TENSOR);
    }

    public FpQuantizer(FpFormat format, ScaleMode scaleMode, int channelAxis) {
        super(channelAxis);
        setFormat(format);
        setScaleMode(scaleMode);
    }

    public FpFormat getFormat() {
        return format;
    }

    public void setFormat(FpFormat format) {
        this.format = Check.notNull("format", format);
    }

    public ScaleMode getScaleMode() {
        return scaleMode;
    }

    public void setScaleMode(ScaleMode scaleMode) {
        this.scaleMode = Check.notNull("scale", scaleMode);
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        if (scaleMode != ScaleMode.LEARNED) {
            return List.of();
        }
        return List.of(ParamSpec.trainable(SCALE, Nd.channelShape(shape, channelAxis), 1.0),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    /** Scale broadcastable against x; null for none. */
    private INDArray scale(INDArray x, Map<String, INDArray> params) {
        switch (scaleMode) {
            case NONE:
                return null;
            case MAX:
                return maxScale(x);
            default:
                INDArray s = Params.require(params, SCALE);
                if (Params.firstCall(params)) {
                    s.assign(maxScale(x).reshape(s.shape()));
                }
                return Transforms.max(Nd.broadcastable(s, x.rank(), channelAxis), 1e-12, true);
        }
    }

    /** {@code max|x| / max} per channel; an all-zero channel gets scale 1. */
    private INDArray maxScale(INDArray x) {
        INDArray m = Transforms.abs(x, true).max(true, Nd.reduceAxes(x.rank(), channelAxis)).divi(format.max());
        BooleanIndexing.replaceWhere(m, 1.0, Conditions.equals(0.0));
        return m;
    }

    @Override
    public INDArray forward(INDArray x, Map<String, INDArray> params) {
        INDArray s = scale(x, params);
        return s == null ? format.quantize(x) : format.quantize(x.div(s)).muli(s);
    }

    @Override
    public QuantGradient backward(INDArray x, Map<String, INDArray> params, INDArray gradOut) {
        INDArray s = scale(x, params);
        INDArray xs = s == null ? x : x.div(s);
        INDArray inside = Nd.absAtMost(xs, format.max());
        INDArray gradIn = inside.mul(gradOut);
        if (scaleMode != ScaleMode.LEARNED) {
            return new QuantGradient(gradIn);
        }
        INDArray dq = format.quantize(xs).subi(xs).muli(inside)
                .addi(inside.rsub(1.0).muli(Transforms.sign(xs, true)).muli(format.max()));
        double gs = 1.0 / Math.sqrt((double) x.length() * format.positiveValues());
        INDArray dScale = Nd.sumPerChannel(dq.muli(gradOut), channelAxis).muli(gs);
        return new QuantGradient(gradIn, Map.of(SCALE, dScale));
    }
}
