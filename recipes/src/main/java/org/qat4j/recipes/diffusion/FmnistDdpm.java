package org.qat4j.recipes.diffusion;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Sgd;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.schedule.DelayedQuantizer;
import org.qat4j.framework.diffusion.DiffusionImages;
import org.qat4j.framework.recipe.DiffusionRecipe;
import org.qat4j.framework.recipe.Hyperparameters;
import org.qat4j.layers.ChannelAddVertex;
import org.qat4j.layers.GroupNorm;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.SequenceReshapeVertex;
import org.qat4j.layers.SinusoidalEmbedding;
import org.qat4j.layers.attention.AttentionContext;
import org.qat4j.layers.attention.AttentionFunction;
import org.qat4j.layers.attention.AttentionScores;

/**
 * The DDPM U-Net of the Fashion-MNIST diffusion recipes (32x32x1, three resolutions):
 * <pre>
 *   time:    t -&gt; sinusoidal(w) -&gt; dense(4w) SiLU -&gt; dense(4w) = temb                               FP
 *   stem:    conv3x3(w)                                                                         FP, 32x32
 *   down:    level l = 0, 1, 2 at 32, 16, 8 with w, 2w, 2w channels: {@code blocks} res blocks, then
 *            a stride-2 conv3x3 (not after the last level); every output is kept as a skip
 *   middle:  res block, [self-attention,] res block                                               8x8
 *   up:      level l = 2, 1, 0: {@code blocks + 1} res blocks, each on concat(x, skip), then nearest 2x
 *            upsampling + conv3x3 to the channels of the level above (not after level 0)
 *   out:     GN, SiLU, conv3x3(1) = predicted noise                                             FP
 *   res block(x, c):  h = conv3x3(Q_a(SiLU(GN(x))));  h += dense_c(SiLU(temb));  h = conv3x3(Q_a(SiLU(GN(h))));
 *                     out = h + (x, or conv1x1(Q_a(x)) when the channels change)
 *   self-attention(x) ({@code attentionHeads} &gt; 0; DDPM's U-Net has one at 16x16 too):
 *                     h = GN(x);  Q, K, V = conv1x1(Q_a(h)), each seen as 64 positions of C channels;
 *                     out = x + conv1x1(Q_a(softmax(Q K^T / sqrt(C / heads)) V)) per head
 * </pre>
 * Subclasses choose the quantizers of the convolutions of each group ({@link #weights(int)}: the resolution levels
 * 0, 1, 2 and {@link #MIDDLE}) and of their inputs ({@link #activations()}); the stem, the output convolution, the
 * time embedding and its per-block projections stay full precision (qat4j rule after BinaryDM, which keeps the
 * first and last modules and the time embeddings FP). {@link #switchOn(int)} delays a group's quantizers
 * (progressive binarization). With no quantizers the same network is the FP32 model. Every res block's output is a
 * tap named {@code d<level>b<i>}, {@code mid<i>} or {@code u<level>b<i>}.
 */
public abstract class FmnistDdpm extends DiffusionRecipe {

    /** The group of the middle blocks, switched on first by progressive binarization. */
    public static final int MIDDLE = 3;
    static final int LEVELS = 3;
    static final String TEMB = "temb-act";
    /** The predicted noise, the network's last layer before its loss. */
    public static final String EPS = "eps";

    public final Hyperparameters.Param<Integer> width = hyperparameters().integer("width", 32, 8, 512,
            "channels w of the first level (w, 2w, 2w at 32, 16, 8 pixels)");
    public final Hyperparameters.Param<Integer> blocks = hyperparameters().integer("blocks", 1, 1, 8,
            "res blocks per level on the way down (one more on the way up)");
    public final Hyperparameters.Param<Integer> groups = hyperparameters().integer("groups", 8, 1, 512,
            "groups of the group normalizations (must divide every channel count)");
    public final Hyperparameters.Param<Integer> attentionHeads = hyperparameters().integer("attentionHeads", 0, 0,
            64, "heads of a self-attention between the middle res blocks (0: none; must divide 2w)");

    private final List<String> blockTaps = new ArrayList<>();
    private int iterations;

    protected FmnistDdpm() {
        epochs.set(10);
        batchSize.set(64);
        learningRate.set(5e-4);
    }

    /** Quantizer of the weights of the convolutions of a group (level 0-2 or {@link #MIDDLE}); null for FP. */
    protected abstract Quantizer weights(int group);

    /** Quantizer of the inputs of the quantized convolutions; null for FP. */
    protected abstract Quantizer activations();

    /**
     * The weight quantizer a group's convolutions get: {@link #weights(int)}, or what a recipe's other form puts in
     * its place (learned rounding, for post-training quantization); {@code iterations} is the length of the run.
     */
    protected Quantizer convWeights(int group, int iterations) {
        return weights(group);
    }

    /**
     * Whether every weight of the network is frozen (no updates; only quantizers' own parameters learn), as in the
     * calibration of post-training quantization. False by default.
     */
    protected boolean frozen() {
        return false;
    }

    /**
     * The iteration at which a group's quantizers switch on ({@link #activations()} use group {@code -1}); 0 (the
     * default) for from the start.
     */
    protected int switchOn(int group) {
        return 0;
    }

    /** The names of the res blocks' outputs, in graph order, once the model is built. */
    protected List<String> blockTaps() {
        if (blockTaps.isEmpty()) {
            buildModel(1);
        }
        return List.copyOf(blockTaps);
    }

    static int channels(int w, int level) {
        return level == 0 ? w : 2 * w;
    }

    @Override
    public ComputationGraph buildModel(int iterationsPerEpoch) {
        int w = width.get();
        for (int level = 0; level < LEVELS; level++) {
            if (channels(w, level) % groups.get() != 0) {
                throw new IllegalArgumentException("recipe " + name() + ": groups (" + groups.get()
                        + ") must divide the channel counts " + w + " and " + 2 * w);
            }
        }
        if (attentionHeads.get() > 0 && channels(w, LEVELS - 1) % attentionHeads.get() != 0) {
            throw new IllegalArgumentException("recipe " + name() + ": attentionHeads (" + attentionHeads.get()
                    + ") must divide the middle's channel count " + channels(w, LEVELS - 1));
        }
        blockTaps.clear();
        iterations = epochs.get() * iterationsPerEpoch;
        ComputationGraphConfiguration.GraphBuilder g = graph(iterationsPerEpoch);
        g.addLayer("time-embed", new SinusoidalEmbedding.Builder().dim(w).build(), TIME);
        g.addLayer("time-dense1", dense(4 * w, Activation.SWISH),
                "time-embed");
        g.addLayer("time-dense2", dense(4 * w, Activation.IDENTITY),
                "time-dense1");
        g.addLayer(TEMB, new ActivationLayer.Builder().activation(Activation.SWISH).build(), "time-dense2");

        g.addLayer("stem", conv(w, 3, 1, null), INPUT);
        String x = "stem";
        int c = w;
        List<String> skips = new ArrayList<>(List.of(x));
        List<Integer> skipChannels = new ArrayList<>(List.of(c));
        for (int level = 0; level < LEVELS; level++) {
            for (int b = 0; b < blocks.get(); b++) {
                x = resBlock(g, "d" + level + "b" + b, x, c, channels(w, level), level);
                c = channels(w, level);
                skips.add(x);
                skipChannels.add(c);
            }
            if (level < LEVELS - 1) {
                x = quantConv(g, "down" + level, x, c, 3, 2, level + 1);
                skips.add(x);
                skipChannels.add(c);
            }
        }
        x = resBlock(g, "mid0", x, c, c, MIDDLE);
        if (attentionHeads.get() > 0) {
            x = selfAttention(g, "mid-attn", x, c);
        }
        x = resBlock(g, "mid1", x, c, c, MIDDLE);
        for (int level = LEVELS - 1; level >= 0; level--) {
            for (int b = 0; b <= blocks.get(); b++) {
                String skip = skips.remove(skips.size() - 1);
                int sc = skipChannels.remove(skipChannels.size() - 1);
                String name = "u" + level + "b" + b;
                g.addVertex(name + "-cat", new MergeVertex(), x, skip);
                x = resBlock(g, name, name + "-cat", c + sc, channels(w, level), level);
                c = channels(w, level);
            }
            if (level > 0) {
                g.addLayer("up" + level + "-nearest", new Upsampling2D.Builder(2).build(), x);
                c = channels(w, level - 1);
                x = quantConv(g, "up" + level, "up" + level + "-nearest", c, 3, 1, level - 1);
            }
        }
        g.addLayer("out-norm", groupNorm(), x);
        g.addLayer("out-act", new ActivationLayer.Builder().activation(Activation.SWISH).build(), "out-norm");
        g.addLayer(EPS, conv(1, 3, 1, null), "out-act");
        return new ComputationGraph(g.setOutputs(output(g, EPS)).build());
    }

    private String resBlock(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int cin, int cout,
            int group) {
        g.addLayer(name + "-norm1", groupNorm(), in);
        g.addLayer(name + "-act1", new ActivationLayer.Builder().activation(Activation.SWISH).build(), name + "-norm1");
        String h = quantConv(g, name + "-conv1", name + "-act1", cout, 3, 1, group);
        g.addLayer(name + "-time", dense(cout, Activation.IDENTITY), TEMB);
        g.addVertex(name + "-addtime", new ChannelAddVertex(), h, name + "-time");
        g.addLayer(name + "-norm2", groupNorm(), name + "-addtime");
        g.addLayer(name + "-act2", new ActivationLayer.Builder().activation(Activation.SWISH).build(), name + "-norm2");
        h = quantConv(g, name + "-conv2", name + "-act2", cout, 3, 1, group);
        String shortcut = cin == cout ? in : quantConv(g, name + "-skip", in, cout, 1, 1, group);
        g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), h, shortcut);
        blockTaps.add(name);
        return name;
    }

    /**
     * Self-attention over the positions of the middle's feature map; its projections are the middle group's
     * quantized 1x1 convolutions, the attention itself full precision.
     */
    private String selfAttention(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int c) {
        int side = DiffusionImages.SIZE >> (LEVELS - 1);
        g.addLayer(name + "-norm", groupNorm(), in);
        for (String p : new String[] {"q", "k", "v"}) {
            quantConv(g, name + "-" + p, name + "-norm", c, 1, 1, MIDDLE);
            g.addVertex(name + "-" + p + "-seq", new SequenceReshapeVertex(-1, c, side * side), name + "-" + p);
        }
        g.addVertex(name + "-scores", new AttentionScores.Builder().heads(attentionHeads.get()).build(),
                name + "-q-seq", name + "-k-seq");
        g.addVertex(name + "-context", new AttentionContext.Builder().heads(attentionHeads.get())
                .function(AttentionFunction.SOFTMAX).build(), name + "-scores", name + "-v-seq");
        g.addVertex(name + "-map", new ReshapeVertex(-1, c, side, side), name + "-context");
        quantConv(g, name + "-o", name + "-map", c, 1, 1, MIDDLE);
        g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), in, name + "-o");
        return name;
    }

    /** {@code conv(Q_a(x))} with the group's weight quantizer; returns the convolution's name. */
    private String quantConv(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int out,
            int kernel, int stride, int group) {
        Quantizer a = delayed(activations(), -1);
        String x = in;
        if (a != null) {
            g.addLayer(name + "-q", new QuantActivation.Builder().quantizer(a).build(), in);
            x = name + "-q";
        }
        g.addLayer(name, conv(out, kernel, stride, delayed(convWeights(group, iterations), group)), x);
        return name;
    }

    private Quantizer delayed(Quantizer q, int group) {
        int start = switchOn(group);
        return q == null || start == 0 ? q : new DelayedQuantizer(q, start);
    }

    private QuantConv2D conv(int out, int kernel, int stride, Quantizer weights) {
        return new QuantConv2D.Builder().nOut(out).kernelSize(kernel, kernel).stride(stride, stride)
                .padding(kernel / 2, kernel / 2).hasBias(true).activation(Activation.IDENTITY)
                .weightQuantizer(weights).frozenWeights(frozen()).build();
    }

    private GroupNorm groupNorm() {
        GroupNorm.Builder b = new GroupNorm.Builder().groups(groups.get());
        return (frozen() ? b.updater(frozenUpdater()) : b).build();
    }

    /** DL4J's NoOp updater applies the raw gradient; a rate of 0 leaves a parameter exactly as it is. */
    private static Sgd frozenUpdater() {
        return new Sgd(0.0);
    }

    private DenseLayer dense(int out, Activation activation) {
        DenseLayer.Builder b = new DenseLayer.Builder().nOut(out).activation(activation);
        return (frozen() ? b.updater(frozenUpdater()) : b).build();
    }
}
