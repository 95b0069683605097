package org.qat4j.estimators.schedule;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.BeanConfig;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;

/**
 * A quantizer switched on at a given training iteration, full precision before it: the building block of
 * BinaryDM's progressive binarization, which turns the U-Net's block groups from FP to binary one group per batch.
 * <pre>
 *   q(x) = x,          dL/dx = g,          dL/dp = 0      for iteration &lt; start
 *   q(x) = Q(x),       backward of Q                      for iteration &gt;= start
 * </pre>
 * The inner quantizer's parameters are declared from the start (so a checkpoint's layout does not change when it
 * switches) and initialise themselves on its first forward after the switch, as they would at iteration 0.
 */
public class DelayedQuantizer extends BeanConfig implements Quantizer {

    private Quantizer quantizer;
    private int start;
    private boolean active;

    public DelayedQuantizer() {
    }

    public DelayedQuantizer(Quantizer quantizer, int start) {
        setQuantizer(quantizer);
        setStart(start);
        active = start == 0;
    }

    public Quantizer getQuantizer() {
        return quantizer;
    }

    public void setQuantizer(Quantizer quantizer) {
        if (quantizer == null) {
            throw new IllegalArgumentException("a delayed quantizer needs a quantizer to switch on");
        }
        this.quantizer = quantizer;
    }

    public int getStart() {
        return start;
    }

    public void setStart(int start) {
        Check.nonNegative("start iteration", start);
        this.start = start;
        active = start == 0;
    }

    /** Whether the inner quantizer is on at the last point of training seen. */
    public boolean switchedOn() {
        return active;
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        return quantizer.paramSpecs(shape);
    }

    @Override
    public INDArray forward(INDArray x, Map<String, INDArray> params) {
        return active ? quantizer.forward(x, params) : x.dup();
    }

    @Override
    public QuantGradient backward(INDArray x, Map<String, INDArray> params, INDArray gradOut) {
        if (active) {
            return quantizer.backward(x, params, gradOut);
        }
        Map<String, INDArray> zeros = new HashMap<>();
        for (ParamSpec p : quantizer.paramSpecs(x.shape())) {
            INDArray value = params.get(p.name());
            if (p.trainable() && value != null) {
                zeros.put(p.name(), value.ulike().assign(0));
            }
        }
        return new QuantGradient(gradOut, zeros);
    }

    @Override
    public double bitsPerValue() {
        return quantizer.bitsPerValue();
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        active = iteration >= start;
        quantizer.onProgress(epoch, iteration);
    }
}
