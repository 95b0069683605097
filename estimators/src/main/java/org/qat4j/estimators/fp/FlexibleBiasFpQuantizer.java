package org.qat4j.estimators.fp;

import org.qat4j.estimators.BeanConfig;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;

/**
 * Low-bit floating point with a flexible, real-valued exponent bias b (LLM-FP4).
 * <pre>
 *   maxval = (2 - 2^-M) 2^(2^E - 1 - b)
 *   x_c    = clamp(x, -maxval, maxval)
 *   p      = max(floor(log2|x_c|) + b, 1)                   (detached)
 *   step   = 2^(p - M - b),   x_q = step * round(x_c / step)
 *   dL/dx  = g 1{|x| &lt;= maxval}
 *   dL/db  = sum g (ln2 (x_c - x_q) - 1{|x| &gt; maxval} sign(x) ln2 maxval)   (round straight through)
 * </pre>
 * b is a learnable parameter initialised on the first forward so that {@code maxval = max|x|}.
 */
public class FlexibleBiasFpQuantizer extends BeanConfig implements Quantizer {

    public static final String BIAS = "bias";
    private static final double LN2 = Math.log(2.0);

    private int exponentBits = 4;
    private int mantissaBits = 3;

    @Override
    public double bitsPerValue() {
        return 1 + exponentBits + mantissaBits;
    }

    public FlexibleBiasFpQuantizer() {
    }

    public FlexibleBiasFpQuantizer(int exponentBits, int mantissaBits) {
        setExponentBits(exponentBits);
        setMantissaBits(mantissaBits);
    }

    public int getExponentBits() {
        return exponentBits;
    }

    public void setExponentBits(int exponentBits) {
        this.exponentBits = Check.inRange("exponentBits", exponentBits, 1, 5);
    }

    public int getMantissaBits() {
        return mantissaBits;
    }

    public void setMantissaBits(int mantissaBits) {
        this.mantissaBits = Check.inRange("mantissaBits", mantissaBits, 0, 7);
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        return List.of(ParamSpec.trainable(BIAS, new long[] {1}, (1 << (exponentBits - 1)) - 1),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    private double bias(INDArray x, Map<String, INDArray> params) {
        INDArray b = Params.require(params, BIAS);
        if (Params.firstCall(params)) {
            double m = x.amaxNumber().doubleValue();
            if (m > 0) {
                double top = 2.0 - Math.scalb(1.0, -mantissaBits);
                b.assign((1 << exponentBits) - 1 - Math.log(m / top) / LN2);
            }
        }
        return b.getDouble(0);
    }

    public double maxval(double bias) {
        return (2.0 - Math.scalb(1.0, -mantissaBits)) * Math.pow(2.0, (1 << exponentBits) - 1 - bias);
    }

    private INDArray[] clampAndQuantize(INDArray x, double b) {
        double maxval = maxval(b);
        INDArray xc = Transforms.min(Transforms.max(x, -maxval, true), maxval, false);
        INDArray p = Transforms.floor(Transforms.log(Transforms.abs(xc, true), 2.0, false).addi(1e-4), false).addi(b);
        p = Transforms.max(p, 1.0, false).subi(mantissaBits + b);
        INDArray step = Transforms.pow(p.ulike().assign(2.0), p, false);
        INDArray q = xc.div(step);
        Nd4j.exec(new Rint(q, q));
        return new INDArray[] {xc, q.muli(step)};
    }

    @Override
    public INDArray forward(INDArray x, Map<String, INDArray> params) {
        return clampAndQuantize(x, bias(x, params))[1];
    }

    @Override
    public QuantGradient backward(INDArray x, Map<String, INDArray> params, INDArray gradOut) {
        double b = bias(x, params);
        double maxval = maxval(b);
        INDArray[] cq = clampAndQuantize(x, b);
        INDArray inside = Nd.absAtMost(x, maxval);
        INDArray dq = cq[0].subi(cq[1]).muli(LN2)
                .subi(inside.rsub(1.0).muli(Transforms.sign(x, true)).muli(LN2 * maxval));
        double dBias = dq.muli(gradOut).sumNumber().doubleValue();
        return new QuantGradient(inside.muli(gradOut), Map.of(BIAS, Nd4j.scalar(x.dataType(), dBias).reshape(1)));
    }
}
