package org.qat4j.estimators;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parameter tables for quantizers used outside a DL4J layer (tests, plots, post-training quantization).
 * Inside a layer the same specs become views of the layer's flat parameter vector.
 */
public final class Params {

    /** Name of the state flag, 0 before and 1 after a quantizer's data-dependent initialisation. */
    public static final String INITIALISED = "initialised";

    private Params() {
    }

    /** Allocates every parameter the quantizer declares for this input shape, filled with its initial value. */
    public static Map<String, INDArray> allocate(Quantizer q, long[] inputShape, DataType type) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (ParamSpec spec : q.paramSpecs(inputShape)) {
            out.put(spec.name(), Nd4j.valueArrayOf(spec.shape(), spec.initValue(), type));
        }
        return out;
    }

    /**
     * True once; marks the flag so the next call returns false. Quantizers call it to run their data-dependent
     * initialisation (e.g. a learned scale set to {@code mean|W|}) on the first forward pass only.
     */
    public static boolean firstCall(Map<String, INDArray> params) {
        INDArray flag = require(params, INITIALISED);
        if (flag.getDouble(0) != 0.0) {
            return false;
        }
        flag.assign(1.0);
        return true;
    }

    public static INDArray require(Map<String, INDArray> params, String name) {
        INDArray p = params.get(name);
        if (p == null) {
            throw new IllegalStateException("quantizer parameter '" + name + "' is missing; allocate the table with "
                    + "Params.allocate(quantizer, shape, type) or the quantizer's paramSpecs");
        }
        return p;
    }
}
