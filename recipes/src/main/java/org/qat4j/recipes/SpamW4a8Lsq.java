package org.qat4j.recipes;

import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.integer.LsqQuantizer;

/**
 * {@code spam-w4a8-lsq}: encoder linear layers with 4-bit weights and 8-bit inputs, signed integers with LSQ's
 * learned step sizes (one per weight tensor, one per input); attention and embeddings full precision.
 */
public class SpamW4a8Lsq extends SpamTransformer {

    @Override
    public String name() {
        return "spam-w4a8-lsq";
    }

    @Override
    public String description() {
        return "W4A8 encoder linear layers, LSQ learned step sizes";
    }

    @Override
    protected Quantizer weights() {
        return new LsqQuantizer(4, true, false);
    }

    @Override
    protected Quantizer activations() {
        return new LsqQuantizer(8, true, true);
    }
}
