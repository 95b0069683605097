package org.qat4j.estimators.multibit;

import org.qat4j.estimators.BeanConfig;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.QuantGradient;
import org.qat4j.estimators.Quantizer;

/**
 * Spectra TriLM ternarization.
 * <pre>
 *   gamma = 1e-5 + mean|W|
 *   W_t   = gamma * clamp(round(W / gamma), -1, 1)      (round half to even)
 *   dL/dW = g                                            (straight through)
 * </pre>
 */
public class TriLmTernarizer extends BeanConfig implements Quantizer {

    @Override
    public double bitsPerValue() {
        return 2;
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        double gamma = 1e-5 + w.ameanNumber().doubleValue();
        INDArray r = w.div(gamma);
        Nd4j.exec(new Rint(r, r));
        return Transforms.min(Transforms.max(r, -1.0, false), 1.0, false).muli(gamma);
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        return new QuantGradient(gradOut.dup());
    }
}
