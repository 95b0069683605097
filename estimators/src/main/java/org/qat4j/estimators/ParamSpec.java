package org.qat4j.estimators;

import java.io.Serializable;

/**
 * Declaration of one parameter of a quantizer: its name, shape, whether the optimizer trains it, and its value
 * before any data-dependent initialisation. Non-trainable entries carry state that must survive a checkpoint
 * (an "initialised" flag, frozen salient weights).
 */
public record ParamSpec(String name, long[] shape, boolean trainable, double initValue) implements Serializable {

    public static ParamSpec trainable(String name, long[] shape, double initValue) {
        return new ParamSpec(name, shape, true, initValue);
    }

    public static ParamSpec state(String name, long[] shape, double initValue) {
        return new ParamSpec(name, shape, false, initValue);
    }

    public long length() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
