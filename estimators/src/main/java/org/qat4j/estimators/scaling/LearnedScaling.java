package org.qat4j.estimators.scaling;

import org.qat4j.estimators.BeanConfig;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;

/**
 * A learnable scale per output channel (XNOR++ weight factor, BiViT's PWS), optionally on centred weights.
 * <pre>
 *   W_c     = W - rowmean(W)   (if centering; else W_c = W)
 *   W_q     = s_o sign(W_c)
 *   dL/ds_o = sum_i g_o,i sign(W_c,o,i)
 *   dL/dW   = s g est'(W_c)
 * </pre>
 * {@code s} is initialised on the first forward to {@code mean|W_c,o|}, the least-squares optimum of the scale.
 */
public class LearnedScaling extends BeanConfig implements WeightScaling {

    public static final String SCALE = "scale";

    private boolean centering;

    public LearnedScaling() {
    }

    public LearnedScaling(boolean centering) {
        this.centering = centering;
    }

    public boolean isCentering() {
        return centering;
    }

    public void setCentering(boolean centering) {
        this.centering = centering;
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape, int channelAxis) {
        return List.of(ParamSpec.trainable(SCALE, Nd.channelShape(shape, channelAxis), 1.0),
                ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
    }

    @Override
    public INDArray center(INDArray w, int channelAxis) {
        return centering ? w.sub(w.mean(true, Nd.reduceAxes(w.rank(), channelAxis))) : w;
    }

    @Override
    public INDArray alpha(INDArray wc, Map<String, INDArray> params, int channelAxis) {
        INDArray scale = Params.require(params, SCALE);
        if (Params.firstCall(params)) {
            scale.assign(Nd.meanAbs(wc, channelAxis).reshape(scale.shape()));
        }
        return Nd.broadcastable(scale, wc.rank(), channelAxis);
    }

    @Override
    public void backward(INDArray wc, INDArray g, INDArray gradIn, Map<String, INDArray> params, int channelAxis,
            Map<String, INDArray> paramGrads) {
        paramGrads.put(SCALE, Nd.sumPerChannel(Nd.sign(wc).muli(g), channelAxis));
    }
}
