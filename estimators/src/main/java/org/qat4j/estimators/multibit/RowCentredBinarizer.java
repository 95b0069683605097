package org.qat4j.estimators.multibit;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.ChannelQuantizer;
import org.qat4j.estimators.Check;
import org.qat4j.estimators.Nd;
import org.qat4j.estimators.QuantGradient;

/**
 * BiBERT's weight binarizer for linear and embedding weights: each row is centred before its sign is taken.
 * <pre>
 *   W_c   = W - rowmean(W)
 *   alpha = rowmean(|W|)                          (of the latent W, not of W_c; detached)
 *   W_b   = alpha sign(W_c)
 *   h     = g 1{|W_c| &lt;= c}                       (surrogate clamp(W_c, -c, c), c = 1)
 *   dL/dW = h - rowmean(h)                        (the centring is differentiated)
 * </pre>
 * A row is a slice along the channel axis: an output channel of a dense weight [nOut, nIn], a token of an embedding
 * table [V, H] (axis 0 for both). The backward is that of BiBERT's code, {@code alpha sign(W_c)} detached minus
 * {@code clamp(W_c)} detached plus {@code clamp(W_c)}: alpha does not scale the gradient, and the row mean is not
 * detached, so each row's gradient sums to zero.
 */
public class RowCentredBinarizer extends ChannelQuantizer {

    private double clip = 1.0;

    public RowCentredBinarizer() {
        super(0);
    }

    public RowCentredBinarizer(double clip, int channelAxis) {
        super(channelAxis);
        setClip(clip);
    }

    public double getClip() {
        return clip;
    }

    public void setClip(double clip) {
        this.clip = Check.nonNegative("clip", clip);
    }

    @Override
    public double bitsPerValue() {
        return 1;
    }

    private INDArray rowMean(INDArray x) {
        return x.mean(true, Nd.reduceAxes(x.rank(), channelAxis));
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        INDArray alpha = Nd.meanAbs(w, channelAxis);
        return Nd.signInPlace(w.sub(rowMean(w))).muli(alpha);
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        INDArray h = Nd.absAtMost(w.sub(rowMean(w)), clip).muli(gradOut);
        return new QuantGradient(h.subi(rowMean(h)));
    }
}
