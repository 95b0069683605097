package org.qat4j.layers.params;

/**
 * One parameter of a qat4j layer in its flat parameter vector: key, shape, role and initial value.
 * {@code WEIGHT} entries are initialised by the layer's weight initialiser with the given fan-in and fan-out.
 */
public record ParamEntry(String key, long[] shape, Role role, double initValue, double fanIn, double fanOut) {

    /** What the parameter is for; decides initialisation, updater and regularisation. */
    public enum Role {
        /** The layer's latent weights: weight init, the layer's regularisation, latent clipping. */
        WEIGHT,
        /** A bias: constant init, bias regularisation. */
        BIAS,
        /** A trainable parameter of a quantizer or helper layer (scales, thresholds, slopes): constant init. */
        TRAINABLE,
        /** Non-trainable state saved with the model (initialised flags, running statistics): never updated. */
        STATE
    }

    public static ParamEntry weight(String key, long[] shape, double fanIn, double fanOut) {
        return new ParamEntry(key, shape, Role.WEIGHT, 0.0, fanIn, fanOut);
    }

    public static ParamEntry bias(String key, long[] shape, double init) {
        return new ParamEntry(key, shape, Role.BIAS, init, 0, 0);
    }

    public static ParamEntry trainable(String key, long[] shape, double init) {
        return new ParamEntry(key, shape, Role.TRAINABLE, init, 0, 0);
    }

    public static ParamEntry state(String key, long[] shape, double init) {
        return new ParamEntry(key, shape, Role.STATE, init, 0, 0);
    }

    public long length() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
