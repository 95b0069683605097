package org.qat4j.estimators.integer;

import org.qat4j.estimators.BeanConfig;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;

/**
 * LSQ, learned step size quantization to b-bit integers.
 * <pre>
 *   signed: QN = 2^(b-1), QP = 2^(b-1) - 1;   unsigned: QN = 0, QP = 2^b - 1
 *   v_hat    = s * round(clamp(v/s, -QN, QP))                       (round half to even)
 *   dv_hat/dv = 1{-QN &lt; v/s &lt; QP}
 *   dv_hat/ds = round(v/s) - v/s inside,  -QN below,  QP above;    dL/ds scaled by gs = 1/sqrt(N QP)
 *   init s0 = 2 mean|v| / sqrt(QP) on the first forward;  s clamped to &gt;= 1e-5
 *   b = 1, signed (elastic binarization, BiPFT): v_hat = s sign(v), dL/ds = gs sum sign(v) g, dL/dv = g 1{|v/s| &lt;= 1}
 * </pre>
 * N is the number of elements (weights), or of features per sample when {@code perSample} is set (activations).
 * Warm-up: with a {@code warmupSchedule} giving lambda in [0, 1], the output is {@code v + lambda (v_hat - v)} and
 * both gradients scale accordingly, so quantization fades in (e.g. ND4J {@code RampSchedule(FixedSchedule(1), n)}).
 */
public class LsqQuantizer extends BeanConfig implements Quantizer {

    public static final String STEP = "step";
    private static final double MIN_STEP = 1e-5;

    private int bits = 8;
    private boolean signed = true;
    private boolean perSample;
    private double lambda = 1.0;
    private ISchedule warmupSchedule;

    @Override
    public double bitsPerValue() {
        return bits;
    }

    public LsqQuantizer() {
    }

    public LsqQuantizer(int bits, boolean signed, boolean perSample) {
        setBits(bits);
        this.signed = signed;
        this.perSample = perSample;
    }

    public int getBits() {
        return bits;
    }

    public void setBits(int bits) {
        this.bits = Check.inRange("bits", bits, 1, 8);
    }

    public boolean isSigned() {
        return signed;
    }

    public void setSigned(boolean signed) {
        this.signed = signed;
    }

    public boolean isPerSample() {
        return perSample;
    }

    public void setPerSample(boolean perSample) {
        this.perSample = perSample;
    }

    public double getLambda() {
        return lambda;
    }

    public void setLambda(double lambda) {
        this.lambda = Check.inRange("lambda", lambda, 0.0, 1.0);
    }

    public ISchedule getWarmupSchedule() {
        return warmupSchedule;
    }

    public void setWarmupSchedule(ISchedule warmupSchedule) {
        this.warmupSchedule = warmupSchedule;
    }

    public int qn() {
        return signed ? 1 << (bits - 1) : 0;
    }

    public int qp() {
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    private boolean elastic() {
        return signed && bits == 1;
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        if (warmupSchedule != null) {
            setLambda(Math.min(1.0, Math.max(0.0, warmupSchedule.valueAt(iteration, epoch))));
        }
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        return List.of(ParamSpec.trainable(STEP, new long[] {1}, 1.0),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    /** The step in use, {@code max(s, 1e-5)}, after the first-call initialisation. */
    private double step(INDArray v, Map<String, INDArray> params) {
        INDArray s = Params.require(params, STEP);
        if (Params.firstCall(params)) {
            s.assign(2.0 * v.ameanNumber().doubleValue() / Math.sqrt(Math.max(qp(), 1)));
        }
        return Math.max(s.getDouble(0), MIN_STEP);
    }

    @Override
    public INDArray forward(INDArray v, Map<String, INDArray> params) {
        double s = step(v, params);
        INDArray q;
        if (elastic()) {
            q = Nd.sign(v).muli(s);
        } else {
            q = Transforms.min(Transforms.max(v.div(s), -qn(), false), qp(), false);
            Nd4j.exec(new Rint(q, q));
            q.muli(s);
        }
        return lambda == 1.0 ? q : q.subi(v).muli(lambda).addi(v);
    }

    @Override
    public QuantGradient backward(INDArray v, Map<String, INDArray> params, INDArray gradOut) {
        double s = step(v, params);
        INDArray u = v.div(s);
        INDArray inside;
        INDArray dq;
        if (elastic()) {
            inside = Nd.absAtMost(u, 1.0);
            dq = Nd.sign(v);
        } else {
            INDArray below = Nd.greaterThanInPlace(u.dup(), -qn()).rsubi(1.0);
            INDArray above = Nd.greaterThanInPlace(u.rsub(qp()), 0.0).rsubi(1.0);
            inside = below.add(above).rsubi(1.0);
            INDArray rounded = Transforms.min(Transforms.max(u, -qn(), true), qp(), false);
            Nd4j.exec(new Rint(rounded, rounded));
            dq = rounded.subi(u).muli(inside).addi(below.muli(-qn())).addi(above.muli(qp()));
        }
        long n = perSample ? v.length() / v.size(0) : v.length();
        double gs = 1.0 / Math.sqrt((double) n * Math.max(qp(), 1));
        double dStep = lambda * gs * dq.muli(gradOut).sumNumber().doubleValue();
        INDArray gradIn = inside.muli(lambda).addi(1.0 - lambda).muli(gradOut);
        return new QuantGradient(gradIn, Map.of(STEP, Nd4j.scalar(v.dataType(), dStep).reshape(1)));
    }
}
