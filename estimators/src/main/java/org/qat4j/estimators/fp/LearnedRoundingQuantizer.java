package org.qat4j.estimators.fp;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;

/**
 * Learned rounding of weights onto a floating-point grid (AdaRound form; post-training FP quantization of
 * diffusion models, arXiv 2408.06995).
 * <pre>
 *   u      = w / scale                   (scale = max|w| / max per channel, fixed at init)
 *   step_i = 2^(max(floor(log2|u_i|), 1 - bias) - M)           (the format's grid step at u_i)
 *   w_q    = scale * clamp(step_i (floor(u_i / step_i) + h(V_i)), -max, max)
 *   h(V)   = clip(1.2 sigmoid(V) - 0.1, 0, 1)      (soft);   1{V &gt;= 0} once hardened
 *   V      initialised so that h = frac(u / step)  (w_q = w at the start)
 *   dL/dV  = g scale step h'(V);   dL/dw = g 1{|u| &lt;= max}
 *   L_round = lambda sum_i (1 - |2 h(V_i) - 1|^beta)         (beta annealed 20 -&gt; 2)
 * </pre>
 * Train V against {@code ||out_FP - out_Q||^2 + L_round}, then {@link #harden(Map)}.
 */
public class LearnedRoundingQuantizer extends ChannelQuantizer {

    public static final String V = "v";
    public static final String SCALE = "scale";
    public static final String HARD = "hard";

    private FpFormat format = FpFormat.E4M3;
    private double lambda = 0.01;
    private double beta = 20.0;
    private ISchedule betaSchedule;

    @Override
    public double bitsPerValue() {
        return format.bits();
    }

    public LearnedRoundingQuantizer() {
        super(0);
    }

    public LearnedRoundingQuantizer(FpFormat format, int channelAxis) {
        super(channelAxis);
        setFormat(format);
    }

    public FpFormat getFormat() {
        return format;
    }

    public void setFormat(FpFormat format) {
        this.format = Check.notNull("format", format);
    }

    public double getLambda() {
        return lambda;
    }

    public void setLambda(double lambda) {
        this.lambda = Check.nonNegative("lambda", lambda);
    }

    public double getBeta() {
        return beta;
    }

    public void setBeta(double beta) {
        this.beta = Check.finitePositive("beta", beta);
    }

    public ISchedule getBetaSchedule() {
        return betaSchedule;
    }

    public void setBetaSchedule(ISchedule betaSchedule) {
        this.betaSchedule = betaSchedule;
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        if (betaSchedule != null) {
            setBeta(betaSchedule.valueAt(iteration, epoch));
        }
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        return List.of(ParamSpec.trainable(V, shape, 0.0),
                ParamSpec.state(SCALE, Nd.channelShape(shape, channelAxis), 1.0),
                ParamSpec.state(HARD, new long[] {1}, 0.0),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    /** Switches to hard rounding {@code h = 1{V >= 0}}: the final quantized weights. */
    public void harden(Map<String, INDArray> params) {
        Params.require(params, HARD).assign(1.0);
    }

    /** [scale broadcastable, u = w/scale, step, floor(u/step)], initialising on the first call. */
    private INDArray[] grid(INDArray w, Map<String, INDArray> params) {
        INDArray scale = Params.require(params, SCALE);
        boolean init = Params.firstCall(params);
        if (init) {
            INDArray m = Transforms.abs(w, true).max(true, Nd.reduceAxes(w.rank(), channelAxis)).divi(format.max());
            scale.assign(Transforms.max(m, 1e-12, false).reshape(scale.shape()));
        }
        INDArray s = Nd.broadcastable(scale, w.rank(), channelAxis);
        INDArray u = w.div(s);
        INDArray step = FpFormat.exponentStep(Transforms.min(Transforms.abs(u, true), format.max(), false),
                format.bias(), format.mantissaBits());
        INDArray base = Transforms.floor(u.div(step), false);
        if (init) {
            INDArray frac = u.div(step).subi(base).addi(0.1).divi(1.2);
            Params.require(params, V).assign(Transforms.log(frac.div(frac.rsub(1.0)), false));
        }
        return new INDArray[] {s, u, step, base};
    }

    /** h(V), soft or hard. */
    public INDArray h(Map<String, INDArray> params) {
        INDArray v = Params.require(params, V);
        if (Params.require(params, HARD).getDouble(0) != 0.0) {
            return Nd.greaterThanInPlace(v.neg(), 0.0).rsubi(1.0);
        }
        return Transforms.min(Transforms.max(Transforms.sigmoid(v, true).muli(1.2).subi(0.1), 0.0, false), 1.0,
                false);
    }

    /** dh/dV: {@code 1.2 sigmoid(V)(1 - sigmoid(V))} where the clip is inactive; 0 once hardened. */
    private INDArray dh(Map<String, INDArray> params) {
        INDArray v = Params.require(params, V);
        if (Params.require(params, HARD).getDouble(0) != 0.0) {
            return v.ulike().assign(0.0);
        }
        INDArray sig = Transforms.sigmoid(v, true);
        INDArray raw = sig.mul(1.2).subi(0.1);
        INDArray active = Nd.within(raw, Nd4j.scalar(raw.dataType(), 0.0), Nd4j.scalar(raw.dataType(), 1.0));
        return sig.rsub(1.0).muli(sig).muli(1.2).muli(active);
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        INDArray[] g = grid(w, params);
        INDArray uq = g[3].addi(h(params)).muli(g[2]);
        return Transforms.min(Transforms.max(uq, -format.max(), false), format.max(), false).muli(g[0]);
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        INDArray[] g = grid(w, params);
        INDArray uq = g[3].add(h(params)).muli(g[2]);
        INDArray inRange = Nd.absAtMost(uq, format.max());
        INDArray dV = dh(params).muli(g[2]).muli(g[0]).muli(inRange).muli(gradOut);
        INDArray gradIn = Nd.absAtMost(g[1], format.max()).muli(gradOut);
        return new QuantGradient(gradIn, Map.of(V, dV));
    }

    /** {@code lambda sum(1 - |2h - 1|^beta)}: pushes every h to 0 or 1. */
    public double roundingLoss(Map<String, INDArray> params) {
        INDArray t = Transforms.abs(h(params).muli(2.0).subi(1.0), false);
        return lambda * Transforms.pow(t, beta, false).rsubi(1.0).sumNumber().doubleValue();
    }

    /** Gradient of {@link #roundingLoss} with respect to V. */
    public INDArray roundingLossGradient(Map<String, INDArray> params) {
        INDArray c = h(params).muli(2.0).subi(1.0);
        INDArray dLdh = Transforms.pow(Transforms.abs(c, true), beta - 1.0, false)
                .muli(Transforms.sign(c, true)).muli(-2.0 * beta * lambda);
        return dLdh.muli(dh(params));
    }
}
