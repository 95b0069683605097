package org.qat4j.estimators;

/**
 * A quantizer whose statistics or learned parameters are per channel: {@code channelAxis} is the output-channel axis
 * of the weight tensor (0 for DL4J convolution weights {@code [oC, iC, kH, kW]}, 1 for dense weights
 * {@code [nIn, nOut]}), or {@link Nd#PER_TENSOR} for one value per tensor.
 */
public abstract class ChannelQuantizer extends BeanConfig implements Quantizer {

    protected int channelAxis;

    protected ChannelQuantizer(int channelAxis) {
        this.channelAxis = channelAxis;
    }

    public int getChannelAxis() {
        return channelAxis;
    }

    public void setChannelAxis(int channelAxis) {
        this.channelAxis = channelAxis;
    }
}
