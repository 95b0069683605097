package org.qat4j.recipes;

import org.qat4j.estimators.BinaryWeightQuantizer;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.scaling.LearnedScaling;
import org.qat4j.estimators.sign.SteEstimator;
import org.qat4j.layers.attention.AttentionFunction;

/**
 * {@code spam-bivit-attn}: W1A1 with BiViT's softmax-aware binary attention: weights {@code alpha_c sign(W)} with a
 * learnable scale per output channel, linear inputs and q, k, v {@code sign} (STE clipped at 1), attention
 * {@code 1{softmax(A) >= 0.25 max_j softmax(A)}}, trained on labels alone.
 */
public class SpamBiVitAttention extends SpamTransformer {

    @Override
    public String name() {
        return "spam-bivit-attn";
    }

    @Override
    public String description() {
        return "W1A1, softmax-aware binary attention (BiViT), learnable per-channel weight scales";
    }

    @Override
    protected Quantizer weights() {
        return new BinaryWeightQuantizer(new SteEstimator(1), new LearnedScaling(), 0);
    }

    @Override
    protected Quantizer activations() {
        return new SteEstimator(1);
    }

    @Override
    protected Quantizer attentionInputs() {
        return new SteEstimator(1);
    }

    @Override
    protected AttentionFunction attention() {
        return AttentionFunction.SOFTMAX_AWARE;
    }
}
