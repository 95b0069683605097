package org.qat4j.estimators.multibit;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.QuantGradient;

/**
 * TWN, ternary weight networks.
 * <pre>
 *   Delta = 0.7 mean|W|,   t = sign(W) 1{|W| &gt; Delta},   alpha = mean(|W| over |W| &gt; Delta)
 *   W_t   = alpha t
 *   dL/dW = g 1{|W| &lt;= 1}                          (STE clipped at 1; Delta and alpha detached)
 * </pre>
 * Statistics per tensor, or per output channel when a channel axis is set.
 */
public class TwnTernarizer extends ChannelQuantizer {

    @Override
    public double bitsPerValue() {
        return 2;
    }

    public TwnTernarizer() {
        super(Nd.PER_TENSOR);
    }

    public TwnTernarizer(int channelAxis) {
        super(channelAxis);
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        int[] axes = Nd.reduceAxes(w.rank(), channelAxis);
        INDArray a = Transforms.abs(w, true);
        INDArray delta = a.mean(true, axes).muli(0.7);
        INDArray kept = Nd.greaterThanInPlace(a.sub(delta), 0.0);
        INDArray count = Transforms.max(kept.sum(true, axes), 1.0, false);
        INDArray alpha = a.muli(kept).sum(true, axes).divi(count);
        return Nd.sign(w).muli(kept).muli(alpha);
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        return new QuantGradient(Nd.absAtMost(w, 1.0).muli(gradOut));
    }
}
