package org.qat4j.estimators.multibit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.ParamSpec;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.QuantGradient;

/**
 * LMB, the learnable multi-basis binarizer of BinaryDM, of order k.
 * <pre>
 *   R_0 = W,   b_i = sign(R_{i-1}),   R_i = R_{i-1} - s_i (.) b_i,   W_b = sum_{i=1..k} s_i (.) b_i
 *   m_i = 1{|R_{i-1}| &lt;= 1}                                    (STE of each sign)
 *   dW_b/dW   = sum_i s_i m_i D_{i-1},        D_0 = 1,  D_i = D_{i-1} (1 - s_i m_i)
 *   dW_b/ds_j = b_j + sum_{i&gt;j} s_i m_i E_{i-1},  E_j = -b_j,  E_i = E_{i-1} (1 - s_i m_i)
 * </pre>
 * For k = 2: {@code dW_b/dW = s1 m1 + s2 m2 (1 - s1 m1)}, {@code dL/ds1 = sum g sign(W) (1 - s2 m2)},
 * {@code dL/ds2 = sum g sign(R)}. The scales {@code s_i} are learnable per output channel and initialised on the
 * first forward to {@code mean|R_{i-1}|} of each channel.
 */
public class LmbBinarizer extends ChannelQuantizer {

    private int order = 2;

    /** One bit per binary basis. */
    @Override
    public double bitsPerValue() {
        return order;
    }

    public LmbBinarizer() {
        super(0);
    }

    public LmbBinarizer(int order, int channelAxis) {
        super(channelAxis);
        setOrder(order);
    }

    public static String scaleName(int i) {
        return "s" + i;
    }

    public int getOrder() {
        return order;
    }

    public void setOrder(int order) {
        this.order = Check.inRange("order", order, 1, 8);
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        List<ParamSpec> specs = new ArrayList<>();
        for (int i = 1; i <= order; i++) {
            specs.add(ParamSpec.trainable(scaleName(i), Nd.channelShape(shape, channelAxis), 1.0));
        }
        specs.add(ParamSpec.state(Params.INITIALISED, new long[] {1}, 0.0));
        return specs;
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        boolean init = Params.firstCall(params);
        INDArray r = w;
        INDArray q = w.ulike().assign(0.0);
        for (int i = 1; i <= order; i++) {
            INDArray s = Params.require(params, scaleName(i));
            if (init) {
                s.assign(Nd.meanAbs(r, channelAxis).reshape(s.shape()));
            }
            INDArray term = Nd.sign(r).muli(Nd.broadcastable(s, w.rank(), channelAxis));
            q.addi(term);
            r = r.sub(term);
        }
        return q;
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        INDArray[] b = new INDArray[order + 1];
        INDArray[] sm = new INDArray[order + 1];
        INDArray r = w;
        for (int i = 1; i <= order; i++) {
            INDArray s = Nd.broadcastable(Params.require(params, scaleName(i)), w.rank(), channelAxis);
            b[i] = Nd.sign(r);
            sm[i] = Nd.absAtMost(r, 1.0).muli(s);
            r = r.sub(b[i].mul(s));
        }
        INDArray dW = w.ulike().assign(0.0);
        INDArray carry = w.ulike().assign(1.0);
        for (int i = 1; i <= order; i++) {
            dW.addi(sm[i].mul(carry));
            carry.muli(sm[i].rsub(1.0));
        }
        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (int j = 1; j <= order; j++) {
            INDArray ds = b[j].dup();
            INDArray e = b[j].neg();
            for (int i = j + 1; i <= order; i++) {
                ds.addi(sm[i].mul(e));
                e.muli(sm[i].rsub(1.0));
            }
            grads.put(scaleName(j), Nd.sumPerChannel(ds.muli(gradOut), channelAxis));
        }
        return new QuantGradient(dW.muli(gradOut), grads);
    }
}
