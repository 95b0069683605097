package org.qat4j.estimators.fp;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.schedule.LinearRampSchedule;

/**
 * Learned rounding of weights onto a floating-point grid (AdaRound form; post-training FP quantization of
 * diffusion models, arXiv 2408.06995).
 * <pre>
 *   u      = w / scale                   (scale = max|w| / max per channel, fixed at init)
 *   step_i = 2^(max(floor(log2|u_i|), 1 - bias) - M)           (the format's grid step at u_i)
 *   w_q    = scale * clamp(step_i (floor(u_i / step_i) + h(V_i)), -max, max)
 *   h(V)   = clip(1.2 sigmoid(V) - 0.1, 0, 1)      (soft);   1{V &gt;= 0} once hard
 *   V      initialised so that h = frac(u / step)  (w_q = w at the start)
 *   dL/dV  = g scale step h'(V)  (0 once hard);   dL/dw = g 1{|u| &lt;= max}
 *   L_round = lambda sum_i (1 - |2 h(V_i) - 1|^beta)         (beta annealed 20 -&gt; 2)
 * </pre>
 * {@code L_round} is the {@link RoundingRegularizer} this quantizer declares for V ({@link #regularization}), built
 * from its {@code lambda}, {@code beta} / {@code betaSchedule} and {@code hardenAt}; a layer hands it to DL4J's
 * updater. Train V against {@code ||out_FP - out_Q||^2 + L_round} with the weights frozen. Rounding is hard from
 * iteration {@code hardenAt} on (evaluated in {@link #onProgress}, which the layers call in training and inference
 * with the network's counts, so a restored network at or past {@code hardenAt} infers with hard rounding), or
 * for a parameter table after {@link #harden(Map)}.
 */
public class LearnedRoundingQuantizer extends ChannelQuantizer {

    public static final String V = "v";
    public static final String SCALE = "scale";
    public static final String HARD = "hard";

    private FpFormat format = FpFormat.E4M3;
    private double lambda = 0.01;
    private double beta = 20.0;
    private ISchedule betaSchedule;
    private int hardenAt;
    /** Hard by schedule at the last point of training seen; derived from hardenAt, so not a property. */
    private boolean hardBySchedule;

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

    /**
     * AdaRound's schedule for a run of {@code iterations} updates of V: beta annealed linearly from 20 to 2 over
     * them, rounding hard from then on.
     */
    public LearnedRoundingQuantizer(FpFormat format, int channelAxis, double lambda, int iterations) {
        this(format, channelAxis);
        setLambda(lambda);
        setBetaSchedule(new LinearRampSchedule(20.0, 2.0, iterations));
        setHardenAt(iterations);
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

    /** The regulariser's exponent when no schedule is set. */
    public double getBeta() {
        return beta;
    }

    public void setBeta(double beta) {
        this.beta = RoundingRegularizer.checkBeta(beta);
    }

    public ISchedule getBetaSchedule() {
        return betaSchedule;
    }

    public void setBetaSchedule(ISchedule betaSchedule) {
        this.betaSchedule = betaSchedule;
    }

    /** The iteration from which rounding is hard ({@code h = 1{V >= 0}}, dL/dV = 0); 0 or negative: never. */
    public int getHardenAt() {
        return hardenAt;
    }

    public void setHardenAt(int hardenAt) {
        this.hardenAt = hardenAt;
    }

    /** The rounding regulariser on V with this quantizer's lambda, beta (schedule) and hardening iteration. */
    public RoundingRegularizer roundingRegularizer() {
        RoundingRegularizer r = new RoundingRegularizer();
        r.setLambda(lambda);
        r.setBeta(beta);
        r.setBetaSchedule(betaSchedule);
        r.setHardenAt(hardenAt);
        return r;
    }

    @Override
    public List<Regularization> regularization(String paramName) {
        return V.equals(paramName) ? List.of(roundingRegularizer()) : List.of();
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        hardBySchedule = roundingRegularizer().hardAt(iteration);
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        return List.of(ParamSpec.trainable(V, shape, 0.0),
                ParamSpec.state(SCALE, Nd.channelShape(shape, channelAxis), 1.0),
                ParamSpec.state(HARD, new long[] {1}, 0.0),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    /** Switches this parameter table to hard rounding {@code h = 1{V >= 0}}: the final quantized weights. */
    public void harden(Map<String, INDArray> params) {
        Params.require(params, HARD).assign(1.0);
    }

    /** Whether this table rounds hard: by {@link #harden(Map)}, or by schedule at the last point of training seen. */
    public boolean isHard(Map<String, INDArray> params) {
        return hardBySchedule || Params.require(params, HARD).getDouble(0) != 0.0;
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
            Params.require(params, V).assign(RectifiedSigmoid.inverseInPlace(u.div(step).subi(base)));
        }
        return new INDArray[] {s, u, step, base};
    }

    /** h(V): soft, or {@code 1{V >= 0}} when hard. */
    public INDArray h(Map<String, INDArray> params) {
        INDArray v = Params.require(params, V);
        if (isHard(params)) {
            return Nd.greaterThanInPlace(v.neg(), 0.0).rsubi(1.0);
        }
        return RectifiedSigmoid.value(v);
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
        INDArray gradIn = Nd.absAtMost(g[1], format.max()).muli(gradOut);
        INDArray v = Params.require(params, V);
        if (isHard(params)) {
            return new QuantGradient(gradIn, Map.of(V, v.ulike().assign(0.0)));
        }
        INDArray uq = g[3].add(h(params)).muli(g[2]);
        INDArray inRange = Nd.absAtMost(uq, format.max());
        INDArray dV = RectifiedSigmoid.derivative(v).muli(g[2]).muli(g[0]).muli(inRange).muli(gradOut);
        return new QuantGradient(gradIn, Map.of(V, dV));
    }
}
