/**
 * Multi-head self-attention over padded sequences as two graph vertices, so that the attention scores are a vertex
 * output a distillation loss can tap (a DL4J vertex has one output, so one vertex could not expose both the scores
 * and the context). Q, K and V come from separate layers, whose outputs are the Q/K/V taps:
 * <pre>
 *   g.addVertex("l0_scores", new AttentionScores.Builder().heads(4).queryQuantizer(new SteEstimator())
 *           .keyQuantizer(new SteEstimator()).build(), "l0_q", "l0_k");
 *   g.addVertex("l0_context", new AttentionContext.Builder().heads(4).function(AttentionFunction.BI_ATTENTION)
 *           .valueQuantizer(new SteEstimator()).build(), "l0_scores", "l0_v");
 * </pre>
 * Sequences are [N, D, L] (DL4J's recurrent layout), the padding mask the network's feature mask [N, L].
 */
package org.qat4j.layers.attention;
