package org.qat4j.recipes;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.qat4j.estimators.Quantizer;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.framework.recipe.SpamAssassinRecipe;
import org.qat4j.layers.QuantDense;
import org.qat4j.layers.attention.AttentionContext;
import org.qat4j.layers.attention.AttentionFunction;
import org.qat4j.layers.attention.AttentionScores;
import org.qat4j.layers.sequence.FirstTokenPooling;
import org.qat4j.layers.sequence.LayerNorm;
import org.qat4j.layers.sequence.PositionEmbedding;
import org.qat4j.layers.sequence.TokenEmbedding;

/**
 * The BERT-like encoder of the SpamAssassin recipes (post-LN, as BERT and BiBERT):
 * <pre>
 *   embed:   h0 = LN(E[tokens] + P)                                         [N, hidden, L]; taps embed-ln
 *   layer i: q, k, v = Q_w(W_q) Q_a(h), ...                                 taps l{i}-q, l{i}-k, l{i}-v (before sign)
 *            A = Q_att(q)_h^T Q_att(k)_h / sqrt(d) - 10000 [padded key]      tap l{i}-scores
 *            c = f(A) Q_att(v)          f: softmax, Bi-Attention 1{A > 0}, or softmax-aware (BiViT)
 *            h' = LN(h + Q_w(W_o) Q_a(c))
 *            h'' = LN(h' + Q_w(W_2) Q_a(GELU(Q_w(W_1) Q_a(h'))))                 tap l{i}-out
 *   head:    FP tanh pooler on [CLS] (position 0), FP dense to the logits
 * </pre>
 * Subclasses choose the quantizers ({@link #weights()}, {@link #activations()}, {@link #embeddingWeights()},
 * {@link #attentionInputs()}) and the attention function ({@link #attention()}); with none the network is the FP32
 * teacher. The embedding, its norm, the pooler and the classifier stay full precision unless a recipe says otherwise.
 */
public abstract class SpamTransformer extends SpamAssassinRecipe {

    public static final String EMBEDDING_OUT = "embed-ln";

    public final Hyperparameters.Param<Integer> layers = hyperparameters().integer("layers", 4, 1, 48,
            "encoder layers");
    public final Hyperparameters.Param<Integer> hidden = hyperparameters().integer("hidden", 128, 8, 4096,
            "hidden size (heads x head size)");
    public final Hyperparameters.Param<Integer> heads = hyperparameters().integer("heads", 4, 1, 64,
            "attention heads; must divide hidden");
    public final Hyperparameters.Param<Integer> ffn = hyperparameters().integer("ffn", 512, 8, 16384,
            "feed-forward inner size");

    protected SpamTransformer() {
        // the budget of record of BENCHMARKS.md
        epochs.set(8);
        batchSize.set(32);
        learningRate.set(5e-4);
    }

    /** Quantizer of the latent weights of every encoder linear layer (Q, K, V, O, FFN); null = full precision. */
    protected Quantizer weights() {
        return null;
    }

    /** Quantizer of the inputs of every encoder linear layer; null = full precision. */
    protected Quantizer activations() {
        return null;
    }

    /** Quantizer of the token embedding table; null = full precision. */
    protected Quantizer embeddingWeights() {
        return null;
    }

    /** Quantizer of q, k and v inside the attention (parameter-free); null = full precision. */
    protected Quantizer attentionInputs() {
        return null;
    }

    /** The attention function applied to the scores. */
    protected AttentionFunction attention() {
        return AttentionFunction.SOFTMAX;
    }

    /** The tap of encoder layer i's query (k: "k", v: "v"), before any sign. */
    public static String tap(int layer, String what) {
        return "l" + layer + "-" + what;
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        if (hidden.get() % heads.get() != 0) {
            throw new IllegalArgumentException("hidden = " + hidden.get() + " is not a multiple of heads = "
                    + heads.get());
        }
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        int h = hidden.get();
        int vocabulary = tokenizer() == null ? vocabSize.get() : tokenizer().size();
        g.addLayer("embed", new TokenEmbedding.Builder().vocabularySize(vocabulary).nOut(h)
                .weightQuantizer(embeddingWeights()).build(), INPUT);
        g.addLayer("embed-pos", new PositionEmbedding.Builder().maxLength(maxLength.get()).build(), "embed");
        g.addLayer(EMBEDDING_OUT, new LayerNorm.Builder().build(), "embed-pos");
        String x = EMBEDDING_OUT;
        for (int i = 0; i < layers.get(); i++) {
            x = encoderLayer(g, i, x);
        }
        g.addLayer("cls", new FirstTokenPooling.Builder().build(), x);
        g.addLayer("pooler", new DenseLayer.Builder().nOut(h).activation(Activation.TANH).build(), "cls");
        return new ComputationGraph(g.setOutputs(classifier(g, "pooler")).build());
    }

    private String encoderLayer(ComputationGraphConfiguration.GraphBuilder g, int i, String in) {
        int h = hidden.get();
        for (String p : new String[] {"q", "k", "v"}) {
            g.addLayer(tap(i, p), linear(h, Activation.IDENTITY), in);
        }
        g.addVertex(tap(i, "scores"), new AttentionScores.Builder().heads(heads.get())
                .queryQuantizer(attentionInputs()).keyQuantizer(attentionInputs()).build(), tap(i, "q"), tap(i, "k"));
        g.addVertex(tap(i, "context"), new AttentionContext.Builder().heads(heads.get()).function(attention())
                .valueQuantizer(attentionInputs()).build(), tap(i, "scores"), tap(i, "v"));
        g.addLayer(tap(i, "o"), linear(h, Activation.IDENTITY), tap(i, "context"));
        String attended = residualNorm(g, tap(i, "attn"), in, tap(i, "o"));
        g.addLayer(tap(i, "ffn1"), linear(ffn.get(), Activation.GELU), attended);
        g.addLayer(tap(i, "ffn2"), linear(h, Activation.IDENTITY), tap(i, "ffn1"));
        return residualNorm(g, tap(i, "out"), attended, tap(i, "ffn2"));
    }

    /** LN(a + b), named {@code name}. */
    private static String residualNorm(ComputationGraphConfiguration.GraphBuilder g, String name, String a,
            String b) {
        g.addVertex(name + "-add", new ElementWiseVertex(ElementWiseVertex.Op.Add), a, b);
        g.addLayer(name, new LayerNorm.Builder().build(), name + "-add");
        return name;
    }

    private QuantDense linear(int nOut, Activation activation) {
        return new QuantDense.Builder().nOut(nOut).activation(activation).weightQuantizer(weights())
                .inputQuantizer(activations()).build();
    }
}
