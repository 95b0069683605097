package org.qat4j.recipes;

import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.multibit.TriLmTernarizer;

/**
 * {@code spam-trilm}: ternary linear layers by Spectra TriLM's rule, {@code gamma clamp(round(W / gamma), -1, 1)},
 * {@code gamma = 1e-5 + mean|W|} (identity STE); activations, attention and embeddings full precision.
 */
public class SpamTriLm extends SpamTransformer {

    @Override
    public String name() {
        return "spam-trilm";
    }

    @Override
    public String description() {
        return "ternary encoder linear layers (Spectra TriLM rule), full-precision activations";
    }

    @Override
    protected Quantizer weights() {
        return new TriLmTernarizer();
    }
}
