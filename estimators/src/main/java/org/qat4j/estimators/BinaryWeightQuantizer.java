package org.qat4j.estimators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.qat4j.estimators.scaling.NoScaling;
import org.qat4j.estimators.scaling.WeightScaling;
import org.qat4j.estimators.sign.SignEstimator;
import org.qat4j.estimators.sign.SteEstimator;

/**
 * A 1-bit quantizer made of a sign estimator and a scaling rule.
 * <pre>
 *   forward   W_q = alpha (.) est(W_c)          (est(x) = sign(x) for every binary estimator)
 *   backward  dL/dW = est.backward(W_c, alpha (.) g) + the scaling's own terms
 * </pre>
 * {@code alpha} and {@code W_c} come from the {@link WeightScaling}, per channel of the {@link ChannelQuantizer}
 * axis.
 */
public class BinaryWeightQuantizer extends ChannelQuantizer {

    private SignEstimator estimator = new SteEstimator();
    private WeightScaling scaling = new NoScaling();

    @Override
    public double bitsPerValue() {
        return estimator.bitsPerValue();
    }

    public BinaryWeightQuantizer() {
        super(0);
    }

    public BinaryWeightQuantizer(SignEstimator estimator, WeightScaling scaling, int channelAxis) {
        super(channelAxis);
        setEstimator(estimator);
        setScaling(scaling);
    }

    public SignEstimator getEstimator() {
        return estimator;
    }

    public void setEstimator(SignEstimator estimator) {
        this.estimator = Check.notNull("estimator", estimator);
    }

    public WeightScaling getScaling() {
        return scaling;
    }

    public void setScaling(WeightScaling scaling) {
        this.scaling = Check.notNull("scaling", scaling);
    }

    @Override
    public List<ParamSpec> paramSpecs(long[] shape) {
        return new ArrayList<>(scaling.paramSpecs(shape, channelAxis));
    }

    @Override
    public void onProgress(int epoch, int iteration) {
        estimator.onProgress(epoch, iteration);
    }

    @Override
    public INDArray forward(INDArray w, Map<String, INDArray> params) {
        INDArray wc = scaling.center(w, channelAxis);
        INDArray q = estimator.forward(wc, params);
        INDArray alpha = scaling.alpha(wc, params, channelAxis);
        return alpha == null ? q : q.muli(alpha);
    }

    @Override
    public QuantGradient backward(INDArray w, Map<String, INDArray> params, INDArray gradOut) {
        INDArray wc = scaling.center(w, channelAxis);
        INDArray alpha = scaling.alpha(wc, params, channelAxis);
        INDArray gb = alpha == null ? gradOut : gradOut.mul(alpha);
        INDArray gradIn = estimator.backward(wc, params, gb).input();
        Map<String, INDArray> paramGrads = new LinkedHashMap<>();
        scaling.backward(wc, gradOut, gradIn, params, channelAxis, paramGrads);
        return new QuantGradient(gradIn, paramGrads);
    }
}
