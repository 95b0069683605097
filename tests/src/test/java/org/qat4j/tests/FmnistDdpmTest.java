package org.qat4j.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.qat4j.distillation.DistillationOutput;
import org.qat4j.distillation.LrmLoss;
import org.qat4j.estimators.Params;
import org.qat4j.estimators.Quantizer;
import org.qat4j.estimators.integer.LsqQuantizer;
import org.qat4j.estimators.multibit.LmbBinarizer;
import org.qat4j.estimators.schedule.DelayedQuantizer;
import org.qat4j.framework.recipe.DiffusionRecipe;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointState;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;
import org.qat4j.layers.QuantActivation;
import org.qat4j.layers.QuantConv2D;
import org.qat4j.layers.QuantizedLayer;
import org.qat4j.recipes.diffusion.FmnistBinaryDm;

/**
 * The Fashion-MNIST diffusion recipes at the tiny U-Net shape {@link TinyTeacher#TINY_UNET}: the backward pass of
 * the whole FP32 U-Net against finite differences, a short FP32 run that learns, BinaryDM's progressive
 * binarization, distillation and teacher initialisation in a real run, and the {@code sample} and {@code fid}
 * commands as processes.
 */
class FmnistDdpmTest {

    /** The res block outputs of the U-Net with one block per level, in graph order. */
    private static final List<String> BLOCK_TAPS = List.of("d0b0", "d1b0", "d2b0", "mid0", "mid1", "u2b0", "u2b1",
            "u1b0", "u1b1", "u0b0", "u0b1");

    @TempDir
    Path tmp;

    private static int threads;
    private static int masterThreads;

    /**
     * One ND4J thread while these tests run: the tiny U-Net's tensors gain little from a second one, and on a machine
     * whose cores are busy (training runs beside the build) the two wait for each other at every op, which doubles
     * the time of each step.
     */
    @BeforeAll
    static void oneNd4jThread() {
        threads = Nd4j.getEnvironment().maxThreads();
        masterThreads = Nd4j.getEnvironment().maxMasterThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    @AfterAll
    static void restoreNd4jThreads() {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(masterThreads);
    }

    private static Recipe tiny(String name, Map<String, String> more) {
        Recipe r = Recipes.create(name);
        Map<String, String> settings = new HashMap<>(TinyTeacher.TINY_UNET);
        settings.putAll(more);
        r.hyperparameters().setAll(settings);
        return r;
    }

    private static Trainer trainer(Path dir, int checkpointEvery, ByteArrayOutputStream out) {
        return new Trainer(new Trainer.Options(dir, null, checkpointEvery, 100, 100, false),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    /** The recipe's graph in DOUBLE without an updater, as the gradient check needs it. */
    private static ComputationGraph forGradientCheck(ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        conf.setDataType(DataType.DOUBLE);
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                layer.setIUpdater(new NoOp());
                layer.setBiasUpdater(new NoOp());
                layer.setRegularization(List.of());
                layer.setRegularizationBias(List.of());
            }
        }
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** One entry of a parameter array moved in a finite-difference probe, by {@code step} times the probe's eps. */
    private record Entry(String array, INDArray param, long[] at, double step) {
    }

    /**
     * Central differences of the loss along a direction against the backward pass: (L(p + eps d) - L(p - eps d))
     * / (2 eps) with DL4J's score, the minibatch mean, against the sum of the gradient entries times d over the
     * minibatch size (DL4J's gradients are sums).
     */
    private static double[] probe(ComputationGraph net, MultiDataSet batch, Map<String, INDArray> gradient,
            List<Entry> entries, double eps) {
        double[] orig = new double[entries.size()];
        double analytic = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            orig[i] = e.param().getDouble(e.at());
            analytic += gradient.get(e.array()).getDouble(e.at()) * e.step() / batch.getFeatures(0).size(0);
        }
        double[] score = new double[2];
        for (int sign = 0; sign < 2; sign++) {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                e.param().putScalar(e.at(), orig[i] + (sign == 0 ? eps : -eps) * e.step());
            }
            score[sign] = net.score(batch, true);
        }
        for (int i = 0; i < entries.size(); i++) {
            entries.get(i).param().putScalar(entries.get(i).at(), orig[i]);
        }
        return new double[] {(score[0] - score[1]) / (2 * eps), analytic};
    }

    /**
     * Three random entries of every parameter array with random signs, each array's scaled by the inverse norm of
     * their gradient (or of 1e-3 of the largest such norm, for arrays whose entries have next to no gradient).
     */
    private static Map<String, List<Entry>> direction(Map<String, INDArray> params, Map<String, INDArray> gradient,
            Random rnd) {
        Map<String, List<Entry>> picked = new LinkedHashMap<>();
        Map<String, Double> norms = new HashMap<>();
        for (Map.Entry<String, INDArray> p : params.entrySet()) {
            List<Entry> entries = new ArrayList<>();
            double squares = 0;
            for (int i = 0; i < Math.min(3, p.getValue().length()); i++) {
                long[] at = Shape.ind2subC(p.getValue(), rnd.nextInt((int) p.getValue().length()));
                if (entries.stream().noneMatch(e -> Arrays.equals(e.at(), at))) {
                    entries.add(new Entry(p.getKey(), p.getValue(), at, rnd.nextBoolean() ? 1 : -1));
                    squares += Math.pow(gradient.get(p.getKey()).getDouble(at), 2);
                }
            }
            picked.put(p.getKey(), entries);
            norms.put(p.getKey(), Math.sqrt(squares));
        }
        double floor = 1e-3 * Collections.max(norms.values());
        picked.replaceAll((name, entries) -> entries.stream().map(e -> new Entry(e.array(), e.param(), e.at(),
                e.step() / Math.max(norms.get(name), floor))).toList());
        return picked;
    }

    /** Halves a failing set of arrays until the arrays whose probes fail alone are found; adds them to failures. */
    private static void culprits(ComputationGraph net, MultiDataSet batch, Map<String, INDArray> gradient,
            Map<String, List<Entry>> byArray, List<String> arrays, double eps, double tolerance, List<String> failures) {
        for (List<String> half : List.of(arrays.subList(0, arrays.size() / 2),
                arrays.subList(arrays.size() / 2, arrays.size()))) {
            if (half.isEmpty()) {
                continue;
            }
            double[] check = probe(net, batch, gradient, half.stream().flatMap(a -> byArray.get(a).stream()).toList(),
                    eps);
            if (!(Math.abs(check[0] - check[1]) < tolerance)) {
                if (half.size() == 1) {
                    failures.add(half.get(0) + byArray.get(half.get(0)).stream().map(e -> Arrays.toString(e.at()))
                            .toList() + ": backward " + check[1] + ", finite differences " + check[0]);
                } else {
                    culprits(net, batch, gradient, byArray, half, eps, tolerance, failures);
                }
            }
        }
    }

    /**
     * The backward pass of the whole U-Net (time embedding MLP, per-block time projections, group norms,
     * convolutions, skip and resampling convolutions) against central finite differences at random entries of every
     * parameter array, on real images noised as in training. A forward pass of the U-Net costs about a second on a
     * loaded machine, too much for a probe per entry, so each probe moves three random entries of every array at
     * once, with random signs, each array's entries scaled by the inverse norm of their gradient: every array then
     * adds a term of order one to the directional derivative, and an error of 1e-4 relative in the gradient of any
     * array shows against the others. A probe that fails is halved until the arrays that fail alone are named.
     */
    @Test
    void theWholeFp32UNetMatchesFiniteDifferences() throws Exception {
        checkAgainstFiniteDifferences(Map.of());
    }

    /** The same with the self-attention between the middle blocks: projections, reshapes, softmax attention. */
    @Test
    void theFp32UNetWithSelfAttentionMatchesFiniteDifferences() throws Exception {
        checkAgainstFiniteDifferences(Map.of("attentionHeads", "2"));
    }

    /** In a quantized U-Net the attention's projections belong to the middle group; bad head counts are refused. */
    @Test
    void selfAttentionProjectionsAreQuantizedWithTheMiddleAndHeadsMustDivideItsChannels() {
        ComputationGraph net = tiny("fmnist-binarydm", Map.of("attentionHeads", "4")).model(1);
        for (String p : List.of("q", "k", "v", "o")) {
            QuantConv2D conv = assertInstanceOf(QuantConv2D.class, net.getLayer("mid-attn-" + p).conf().getLayer());
            assertNotNull(conv.getWeightQuantizer(), p);
            assertNotNull(net.getLayer("mid-attn-" + p + "-q"), "the input quantizer of " + p);
        }
        assertEquals(List.of("mid-attn-scores", "mid-attn-v-seq"),
                net.getConfiguration().getVertexInputs().get("mid-attn-context"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tiny("fmnist-ddpm-fp32", Map.of("attentionHeads", "3")).model(1));
        assertTrue(e.getMessage().contains("attentionHeads (3) must divide the middle's channel count 16"),
                e.getMessage());
    }

    private static void checkAgainstFiniteDifferences(Map<String, String> settings) throws Exception {
        Map<String, String> limits = new HashMap<>(Map.of("trainLimit", "8", "testLimit", "8"));
        limits.putAll(settings);
        Recipe r = tiny("fmnist-ddpm-fp32", limits);
        Recipe.Data data = r.loadData(null);
        MultiDataSet drawn = r.trainingBatch(data.train().batch(new int[] {0, 1, 2}), 3);
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph net = forGradientCheck(r.model(1));
            INDArray[] in = {drawn.getFeatures(0).castTo(DataType.DOUBLE), drawn.getFeatures(1).castTo(DataType.DOUBLE)};
            MultiDataSet batch = new MultiDataSet(in, new INDArray[] {drawn.getLabels(0).castTo(DataType.DOUBLE)});
            net.setInputs(in);
            net.setLabels(batch.getLabels());
            net.computeGradientAndScore();
            Map<String, INDArray> gradient = new HashMap<>();
            net.gradient().gradientForVariable().forEach((k, v) -> gradient.put(k, v.dup()));
            Map<String, INDArray> params = net.paramTable();
            assertTrue(params.size() > 100, params.size() + " parameter arrays");
            Random rnd = new Random(11);
            // each array adds a term of order 1 / N to a probe
            double tolerance = 1e-6 * Math.sqrt(params.size()) / in[0].size(0);
            List<String> failures = new ArrayList<>();
            for (int probe = 0; probe < 6 && failures.isEmpty(); probe++) {
                Map<String, List<Entry>> direction = direction(params, gradient, rnd);
                List<Entry> all = direction.values().stream().flatMap(List::stream).toList();
                // no weight moves by more than 1e-4
                double eps = 1e-4 / all.stream().mapToDouble(e -> Math.abs(e.step())).max().orElseThrow();
                double[] check = probe(net, batch, gradient, all, eps);
                if (!(Math.abs(check[0] - check[1]) < tolerance)) {
                    failures.add("probe " + probe + ": backward " + check[1] + ", finite differences " + check[0]);
                    culprits(net, batch, gradient, direction, new ArrayList<>(direction.keySet()), eps, tolerance,
                            failures);
                }
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    /**
     * Three epochs of 8 steps on 256 images: the denoising loss of the weight average on the test images, near 1 for
     * an untrained network, ends well below its value after the first epoch.
     */
    @Test
    void aShortFp32RunLowersTheTestLoss() throws Exception {
        Path run = tmp.resolve("fp32");
        Trainer.Result result = trainer(run, 0, new ByteArrayOutputStream()).start(tiny("fmnist-ddpm-fp32",
                Map.of("epochs", "3", "batchSize", "32", "trainLimit", "256", "testLimit", "64", "learningRate",
                        "3e-3")));
        CheckpointState state = CheckpointStore.open(run).state();
        assertEquals("test loss", state.metric());
        assertFalse(state.higherIsBetter);
        List<Double> losses = state.history.stream().map(h -> h.testScore).toList();
        double first = losses.get(0);
        assertTrue(first > 0.3 && first < 1.5, "the first epoch's test loss " + losses);
        assertTrue(result.testScore() < 0.8 * first, "test losses " + losses);
        assertEquals(losses.stream().min(Double::compare).orElseThrow(), state.bestScore, "the lowest is the best");
    }

    /**
     * The iteration at which BinaryDM switches on the quantizer of a layer, from the layer's name and the recipe's
     * documented order: middle blocks from the start, then the 8x8, 16x16 and 32x32 groups, then the activation
     * quantizers ({@code ...-q}). A stride-2 down convolution belongs to the resolution it produces, an up
     * convolution to the resolution it works at.
     */
    private static int switchOn(String layer, int steps) {
        if (layer.endsWith("-q")) {
            return 4 * steps;
        }
        if (layer.startsWith("mid")) {
            return 0;
        }
        Matcher block = Pattern.compile("[du](\\d)b\\d+-.*").matcher(layer);
        Matcher down = Pattern.compile("down(\\d)").matcher(layer);
        Matcher up = Pattern.compile("up(\\d)").matcher(layer);
        int level = block.matches() ? Integer.parseInt(block.group(1)) : down.matches()
                ? Integer.parseInt(down.group(1)) + 1 : up.matches() ? Integer.parseInt(up.group(1)) - 1 : -1;
        assertTrue(level >= 0, "a quantized layer outside the U-Net's groups: " + layer);
        return (3 - level) * steps;
    }

    /** A layer's quantizer (a convolution's weights, or an activation's) and the key of its "initialised" state. */
    private record Quantized(String layer, Quantizer quantizer, String initialisedKey) {
    }

    private static List<Quantized> quantized(ComputationGraph net) {
        List<Quantized> out = new ArrayList<>();
        for (Layer l : net.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (l.conf().getLayer() instanceof QuantConv2D c && c.getWeightQuantizer() != null) {
                out.add(new Quantized(name, c.getWeightQuantizer(), name + "_"
                        + QuantizedLayer.paramKey(QuantizedLayer.WEIGHT_QUANT_PREFIX, Params.INITIALISED)));
            } else if (l.conf().getLayer() instanceof QuantActivation a) {
                out.add(new Quantized(name, a.getQuantizer(), name + "_"
                        + QuantizedLayer.paramKey(QuantizedLayer.INPUT_QUANT_PREFIX, Params.INITIALISED)));
            }
        }
        return out;
    }

    /**
     * BinaryDM's progressive binarization as configured, with a switch every three iterations: the middle blocks'
     * LMB binarizers from the start, then the 8x8, 16x16 and 32x32 groups (order 2 at 32x32), then the LSQ
     * activation quantizers; a delayed quantizer is off before its iteration and on from it.
     */
    @Test
    void binaryDmSwitchesItsGroupsOnMiddleFirstThenByResolutionThenActivations() {
        int steps = 3;
        ComputationGraph net = tiny("fmnist-binarydm", Map.of("progressiveSteps", String.valueOf(steps))).model(1);
        List<Integer> starts = new ArrayList<>();
        for (Quantized q : quantized(net)) {
            int start = switchOn(q.layer(), steps);
            starts.add(start);
            Quantizer inner = q.quantizer();
            if (start > 0) {
                DelayedQuantizer delayed = assertInstanceOf(DelayedQuantizer.class, q.quantizer(), q.layer());
                assertEquals(start, delayed.getStart(), q.layer());
                delayed.onProgress(0, start - 1);
                assertFalse(delayed.switchedOn(), q.layer());
                delayed.onProgress(0, start);
                assertTrue(delayed.switchedOn(), q.layer());
                inner = delayed.getQuantizer();
            }
            if (q.layer().endsWith("-q")) {
                assertEquals(8, assertInstanceOf(LsqQuantizer.class, inner, q.layer()).getBits(), q.layer());
            } else {
                assertEquals(q.layer().matches("(d0|u0).*|up1") ? 2 : 1,
                        assertInstanceOf(LmbBinarizer.class, inner, q.layer()).getOrder(), q.layer());
            }
        }
        assertEquals(List.of(0, 3, 6, 9, 12), starts.stream().distinct().sorted().toList(), "five groups");
    }

    /**
     * A BinaryDM run of six iterations with a switch every iteration: each group's quantizers initialise their state
     * on the first step at or after their iteration, as the checkpoints of every iteration show; every res block
     * output is distilled with LRM; the student starts from the teacher's weights; every checkpoint holds the weight
     * average; the last checkpoint evaluates as the run did; a run resumed before the activations' switch ends with
     * the same weights and the same average.
     */
    @Test
    void binaryDmBinarizesProgressivelyDistilsEveryBlockAndStartsFromTheTeacher() throws Exception {
        int steps = 1;
        FmnistBinaryDm r = (FmnistBinaryDm) TinyTeacher.teach(tiny("fmnist-binarydm", Map.of("epochs", "1",
                "batchSize", "8", "trainLimit", "48", "testLimit", "16", "progressiveSteps", String.valueOf(steps),
                "seed", "7")));
        Path run = tmp.resolve("binarydm");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Result result = trainer(run, 1, log).start(r);
        assertEquals(6, result.iterations());
        CheckpointStore store = new CheckpointStore(run, Trainer.recipePackages());
        List<Path> checkpoints = new ArrayList<>(store.list());
        checkpoints.sort(Comparator.naturalOrder());
        assertEquals(6, checkpoints.size());
        CheckpointStore.Loaded last = store.load(checkpoints.get(5));
        List<Quantized> quantized = quantized(last.model());
        List<Integer> starts = quantized.stream().map(q -> switchOn(q.layer(), steps)).toList();

        // the schedule, as trained: the forward of step k (1-based) runs at iteration k - 1
        for (int k = 1; k <= 6; k++) {
            CheckpointStore.Loaded ckpt = store.load(checkpoints.get(k - 1));
            assertEquals(k, ckpt.state().iteration);
            Map<String, INDArray> params = ckpt.model().paramTable();
            for (int i = 0; i < quantized.size(); i++) {
                INDArray flag = params.get(quantized.get(i).initialisedKey());
                assertNotNull(flag, quantized.get(i).initialisedKey());
                assertEquals(k - 1 >= starts.get(i) ? 1.0 : 0.0, flag.getDouble(0),
                        quantized.get(i).layer() + " after step " + k);
            }
            INDArray ema = ckpt.arrays().get(CheckpointStore.EMA);
            assertNotNull(ema, "the weight average in checkpoint " + k);
            assertEquals(ckpt.model().numParams(), ema.length());
        }

        // LRM on every res block output
        ComputationGraphConfiguration conf = last.model().getConfiguration();
        List<String> outputs = new ArrayList<>(List.of(DiffusionRecipe.OUTPUT));
        BLOCK_TAPS.forEach(t -> outputs.add("distil-lrm-" + t));
        assertEquals(outputs, conf.getNetworkOutputs());
        Map<String, INDArray> firstStep = store.load(checkpoints.get(0)).model().paramTable();
        for (String tap : BLOCK_TAPS) {
            String out = "distil-lrm-" + tap;
            assertEquals(List.of(tap), conf.getVertexInputs().get(out));
            DistillationOutput d = assertInstanceOf(DistillationOutput.class,
                    ((LayerVertex) conf.getVertices().get(out)).getLayerConf().getLayer());
            assertInstanceOf(LrmLoss.class, d.getLoss());
            assertEquals(r.lrmWeight.get() / BLOCK_TAPS.size(), d.getWeight(), 1e-15);
            assertEquals(1.0, firstStep.get(out + "_" + LrmLoss.INITIALISED).getDouble(0),
                    "the teacher's principal directions of " + tap + " are taken on the first batch");
        }

        // initialised from the (averaged) teacher: Adam's first step moves no weight by more than the learning rate
        Map<String, INDArray> teacher = CheckpointStore.open(TinyTeacher.get("fmnist-ddpm-fp32")).inferenceModel()
                .paramTable();
        double lr = r.learningRate.get();
        for (Map.Entry<String, INDArray> t : teacher.entrySet()) {
            INDArray s = firstStep.get(t.getKey());
            assertNotNull(s, "the student has the teacher's " + t.getKey());
            assertArrayEquals(t.getValue().shape(), s.shape(), t.getKey());
            double moved = s.sub(t.getValue()).amaxNumber().doubleValue();
            assertTrue(moved <= lr * 1.001 + 1e-7, t.getKey() + " is " + moved + " from the teacher's");
        }
        double fresh = r.model(1).getParam("d0b0-conv1_W").sub(teacher.get("d0b0-conv1_W")).amaxNumber()
                .doubleValue();
        assertTrue(fresh > 10 * lr, "a student of the same seed not initialised from the teacher is " + fresh
                + " from it");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("initialised " + teacher.size() + " of the student's "
                + firstStep.size() + " parameter arrays"), log.toString(StandardCharsets.UTF_8));

        // the last checkpoint's inference model (the average) infers at iteration 6, every group switched on from
        // its iteration, and scores what the run reported
        ComputationGraph inference = store.load(checkpoints.get(5)).inferenceModel();
        double reported = last.state().history.get(0).testScore;
        double again = r.evaluate(inference, r.loadData(null).test()).value();
        List<Quantized> inferred = quantized(inference);
        for (int i = 0; i < inferred.size(); i++) {
            if (inferred.get(i).quantizer() instanceof DelayedQuantizer d) {
                assertEquals(6 >= starts.get(i), d.switchedOn(), inferred.get(i).layer() + " in the last checkpoint");
            }
        }
        assertEquals(reported, again, 1e-6 * reported, "eval of the last checkpoint");

        // resumed after step 4, before the activation quantizers switch: the same weights and average, bit for bit
        Path stopped = copyUpTo(run, 4);
        Trainer.Result resumed = trainer(stopped, 1, new ByteArrayOutputStream()).resume();
        assertEquals(result.paramsSha256(), resumed.paramsSha256());
        INDArray full = last.arrays().get(CheckpointStore.EMA);
        INDArray continued = new CheckpointStore(stopped, Trainer.recipePackages()).loadLatest().arrays()
                .get(CheckpointStore.EMA);
        assertTrue(full.equalsWithEps(continued, 0), "the weight average after resuming");
    }

    /** A copy of the run as it was just after the checkpoint of {@code iteration}. */
    private Path copyUpTo(Path run, int iteration) throws IOException {
        Path copy = tmp.resolve(run.getFileName() + "-at-" + iteration);
        try (Stream<Path> files = Files.walk(run)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String rel = run.relativize(p).toString();
                Matcher m = Pattern.compile("checkpoints/ckpt-(\\d+)(/.*)?").matcher(rel);
                if (m.matches() && Long.parseLong(m.group(1)) > iteration) {
                    continue;
                }
                Path to = copy.resolve(rel);
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return copy;
    }

    private Qat4jProcess.Run qat4j(String... args) throws Exception {
        return Qat4jProcess.run(tmp, null, args);
    }

    /** {@code sample} writes a grid of the right size; the seed alone decides the images, not the batching. */
    @Test
    void sampleWritesASeededGridAsAProcess() throws Exception {
        String model = TinyTeacher.get("fmnist-ddpm-fp32").toString();
        Path a = tmp.resolve("a.png");
        Path b = tmp.resolve("b.png");
        Path c = tmp.resolve("c.png");
        Qat4jProcess.Run first = qat4j("sample", "--checkpoint", model, "--n", "6", "--steps", "3", "--seed", "1",
                "--out", a.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("6 images from ") && first.out().contains("fmnist-ddpm-fp32")
                && first.out().contains("DDIM, 3 steps"), first.out());
        BufferedImage grid = ImageIO.read(a.toFile());
        // 3 columns by 2 rows of 32x32 cells, with a 2-pixel border around and between them
        assertEquals(3 * 34 + 2, grid.getWidth());
        assertEquals(2 * 34 + 2, grid.getHeight());
        Qat4jProcess.Run same = qat4j("sample", "--checkpoint", model, "--n", "6", "--steps", "3", "--seed", "1",
                "--batch", "4", "--out", b.toString());
        assertEquals(0, same.code(), same.err());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "the same seed, in other batches");
        Qat4jProcess.Run other = qat4j("sample", "--checkpoint", model, "--n", "6", "--steps", "3", "--seed", "2",
                "--out", c.toString());
        assertEquals(0, other.code(), other.err());
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "another seed");
    }

    /** {@code fid} with a tiny classifier on the bundled data prints a finite FID-FMNIST. */
    @Test
    void fidPrintsAFiniteValueAsAProcess() throws Exception {
        Path data = BundledFashionMnist.writeTo(tmp.resolve("data"));
        Qat4jProcess.Run fid = qat4j("fid", "--checkpoint", TinyTeacher.get("fmnist-ddpm-fp32").toString(),
                "--classifier", TinyTeacher.get("fmnist-resnet-fp32").toString(), "--data-dir", data.toString(),
                "--n", "20", "--steps", "5", "--reference", "200");
        assertEquals(0, fid.code(), fid.err());
        Matcher m = Pattern.compile("FID-FMNIST (\\S+), 20 samples \\(DDIM, 5 steps.*against 200 test images")
                .matcher(fid.out());
        assertTrue(m.find(), fid.out());
        double value = Double.parseDouble(m.group(1));
        assertTrue(Double.isFinite(value) && value >= 0, fid.out());
        assertTrue(fid.out().contains("labels of the samples: "), fid.out());
    }

    /** Mistakes are one line on stderr and exit code 2, without a stack trace; nothing is written. */
    @Test
    void badSampleAndFidInputIsOneLine() throws Exception {
        String model = TinyTeacher.get("fmnist-ddpm-fp32").toString();
        String classifier = TinyTeacher.get("fmnist-resnet-fp32").toString();
        Path png = tmp.resolve("g.png");
        Path missing = tmp.resolve("no-such-dir").resolve("g.png");
        List<List<String>> cases = List.of(
                List.of("is a checkpoint of recipe fmnist-resnet-fp32, not of a diffusion recipe",
                        "sample", "--checkpoint", classifier, "--out", png.toString()),
                List.of("--sampler must be ddim or ddpm, got 'foo'",
                        "sample", "--checkpoint", model, "--sampler", "foo", "--out", png.toString()),
                List.of("--steps must be a positive integer (got '0')",
                        "sample", "--checkpoint", model, "--steps", "0", "--out", png.toString()),
                List.of("the directory of --out " + missing + " does not exist",
                        "sample", "--checkpoint", model, "--out", missing.toString()),
                List.of("--n must be at least 2",
                        "fid", "--checkpoint", model, "--classifier", classifier, "--n", "1"),
                List.of("the recipe 'fmnist-ddpm-fp32' does not classify Fashion-MNIST images",
                        "fid", "--checkpoint", model, "--classifier", model, "--n", "2"));
        // each case: the message, then the arguments
        for (List<String> c : cases) {
            List<String> args = c.subList(1, c.size());
            Qat4jProcess.Run bad = qat4j(args.toArray(new String[0]));
            String what = String.join(" ", args) + ": " + bad.err();
            assertEquals(2, bad.code(), what);
            List<String> lines = bad.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), what);
            assertTrue(lines.get(0).startsWith("qat4j: ") && lines.get(0).contains(c.get(0)), what);
            assertFalse(bad.err().contains("Exception") || bad.err().contains("\tat "), what);
        }
        assertFalse(Files.exists(png) || Files.exists(missing.getParent()), "no file written");
    }
}
