package org.qat4j.framework.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.qat4j.framework.Version;
import org.qat4j.framework.data.EpochBatches;
import org.qat4j.framework.plot.Figures;
import org.qat4j.framework.recipe.Recipe;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.recipe.TestScore;
import org.qat4j.layers.summary.FlipRatioListener;

/**
 * Trains a recipe in a run directory, with checkpoints that make a resumed run end bitwise identical to an
 * uninterrupted one: the data order is a function of (seed, epoch), the ND4J random generator is re-seeded from
 * (seed, iteration) before every step, and model, updater, quantizer state and position are all in the checkpoint.
 */
public final class Trainer {

    /** How to run: where, how often to checkpoint and log, how many checkpoints to keep. */
    public record Options(Path runDir, Path dataDir, int checkpointEvery, int keep, int logEvery, boolean terminal,
            boolean profile) {

        public Options(Path runDir, Path dataDir, int checkpointEvery, int keep, int logEvery, boolean terminal) {
            this(runDir, dataDir, checkpointEvery, keep, logEvery, terminal, false);
        }
    }

    /** The outcome of a run. */
    public record Result(double testScore, long iterations, String paramsSha256, Path lastCheckpoint) {
    }

    static final String METRICS = "metrics.csv";
    static final String CURVES = "curves.png";
    /** Every name a run directory's top level can hold. */
    private static final Set<String> RUN_FILES = Set.of(CheckpointStore.FOLDER, RunLock.FILE, RunLog.FILE, METRICS,
            CURVES);

    private final Options options;
    private final PrintStream out;

    public Trainer(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Starts a new run of the recipe; the run directory must not hold one already. */
    public Result start(Recipe recipe) throws IOException {
        Path dir = options.runDir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("the run directory " + dir + " is a file");
        }
        // bad data or a bad teacher is refused before the run directory exists, so a corrected command can use
        // the same --out
        Recipe.Data data = recipe.loadData(options.dataDir());
        ComputationGraph net = recipe.model(batchesPerEpoch(recipe, data));
        Distilling distilling = Distilling.open(recipe, net, firstExample(recipe, data), true);
        String initialised = distilling != null && distilling.initFromTeacher() ? distilling.initialise(net) : null;
        refuseForeignFiles(dir);
        Files.createDirectories(dir);
        CheckpointStore store = store(recipe);
        if (!store.list().isEmpty()) {
            throw new IllegalArgumentException("run directory " + dir + " already holds a run; continue it with "
                    + "'qat4j resume " + dir + "' or choose another --out");
        }
        try (RunLock lock = RunLock.acquire(dir)) {
            CheckpointState state = new CheckpointState();
            state.recipe = recipe.name();
            state.qat4j = Version.current();
            state.trainData = data.train().fingerprint();
            state.testData = data.test().fingerprint();
            state.dataDescription = describe(data);
            state.hyperparameters = recipe.hyperparameters().values();
            state.derivedState = new LinkedHashMap<>(recipe.derivedState());
            state.teacherParams = distilling == null ? null : distilling.teacher().paramsSha256();
            return run(recipe, data, net, null, state, store, distilling, initialised);
        }
    }

    /** The network's inputs for the first training example. */
    private static INDArray[] firstExample(Recipe recipe, Recipe.Data data) {
        return recipe.trainingBatch(data.train().batch(new int[] {0}), recipe.seed.get()).getFeatures();
    }

    /**
     * A new run may go into a new or empty directory, or one holding only a run's own files (a run stopped before
     * its first checkpoint): {@code --out .} in a project folder must not scatter a run among the user's files.
     */
    private static void refuseForeignFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var entries = Files.list(dir)) {
            Optional<String> foreign = entries.map(p -> p.getFileName().toString()).filter(n -> !RUN_FILES.contains(n))
                    .sorted().findFirst();
            if (foreign.isPresent()) {
                throw new IllegalArgumentException("the run directory " + dir + " holds files that are not a qat4j "
                        + "run's (" + foreign.get() + "); give --out a new or empty directory");
            }
        }
    }

    /** Continues the run in the directory from its newest good checkpoint. */
    public Result resume() throws IOException {
        Path dir = options.runDir();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no run directory " + dir);
        }
        try (RunLock lock = RunLock.acquire(dir)) {
            CheckpointStore probe = new CheckpointStore(dir, recipePackages());
            CheckpointStore.Loaded loaded = probe.loadLatest();
            if (loaded == null) {
                throw new IllegalArgumentException("no checkpoint to resume from in " + probe.directory());
            }
            Recipe recipe = Recipes.create(loaded.state().recipe);
            recipe.hyperparameters().setAll(loaded.state().hyperparameters);
            recipe.restoreDerivedState(loaded.state().derivedState);
            Recipe.Data data = recipe.loadData(options.dataDir());
            CheckpointState state = loaded.state();
            if (state.trainData != null && (!state.trainData.equals(data.train().fingerprint())
                    || !state.testData.equals(data.test().fingerprint()))) {
                throw new IllegalArgumentException("the run in " + dir + " was made on other data ("
                        + state.dataDescription + ") than this (" + describe(data) + "); resume with --data-dir "
                        + "pointing at the run's data");
            }
            int perEpoch = batchesPerEpoch(recipe, data);
            if (state.batch >= perEpoch || state.iteration != (long) state.epoch * perEpoch + state.batch) {
                throw new IllegalArgumentException("checkpoint " + loaded.path() + " does not fit its run: epoch "
                        + state.epoch + " batch " + state.batch + " iteration " + state.iteration + " with "
                        + perEpoch + " batches per epoch");
            }
            ComputationGraph net = loaded.model();
            Distilling distilling = Distilling.open(recipe, net, firstExample(recipe, data), false);
            if (distilling != null && !distilling.teacher().paramsSha256().equals(state.teacherParams)) {
                throw new IllegalArgumentException("the run in " + dir + " was distilled from a teacher with params "
                        + "sha256 " + state.teacherParams + "; " + distilling.teacher().checkpoint() + " now has "
                        + distilling.teacher().paramsSha256() + ": an exact resume needs the same teacher");
            }
            return run(recipe, data, net, loaded, state, probe, distilling, null);
        }
    }

    /** {@code 1h02m}, {@code 12m05s} or {@code 45s}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    private static int batchesPerEpoch(Recipe recipe, Recipe.Data data) {
        return (data.train().size() + recipe.batchSize.get() - 1) / recipe.batchSize.get();
    }

    private static String describe(Recipe.Data data) {
        return data.train().size() + " train / " + data.test().size() + " test " + data.train().unit() + " from "
                + data.source();
    }

    private CheckpointStore store(Recipe recipe) {
        List<String> packages = recipePackages();
        packages.add(recipe.getClass().getPackageName());
        return new CheckpointStore(options.runDir(), packages);
    }

    /** Packages of the recipes on the classpath: their classes may appear in checkpoints. */
    public static List<String> recipePackages() {
        List<String> out = new ArrayList<>();
        for (Recipe r : Recipes.all()) {
            out.add(r.getClass().getPackageName());
        }
        return out;
    }

    private Result run(Recipe recipe, Recipe.Data data, ComputationGraph net, CheckpointStore.Loaded loaded,
            CheckpointState state, CheckpointStore store, Distilling distilling, String initialised)
            throws IOException {
        try (RunLog log = new RunLog(options.runDir(), out)) {
            int batchSize = recipe.batchSize.get();
            int perEpoch = batchesPerEpoch(recipe, data);
            log.line(String.format(Locale.ROOT, "%s %s: %s, %d epochs of %d batches of %d", loaded == null
                    ? "training" : (state.epoch >= recipe.epochs.get() ? "already complete, nothing to resume"
                    : "resuming at epoch " + (state.epoch + 1) + " batch " + state.batch) + " ("
                    + loaded.path().getFileName() + ")", recipe.name(), describe(data), recipe.epochs.get(), perEpoch,
                    batchSize));
            if (distilling != null) {
                log.line(distilling.describe());
            }
            if (initialised != null) {
                log.line(initialised);
            }
            log.fileOnly("hyperparameters: " + state.hyperparameters);
            log.fileOnly("qat4j " + Version.current());
            if (loaded != null && !Version.current().equals(state.qat4j)) {
                log.line("note: the run was started with qat4j " + (state.qat4j == null ? "of an unrecorded build"
                        : state.qat4j) + " and resumes with " + Version.current()
                        + "; bitwise-exact resume holds within one build");
            }
            WeightAverage ema = null;
            if (recipe.emaDecay() > 0) {
                INDArray saved = loaded == null ? null : loaded.arrays().get(CheckpointStore.EMA);
                if (loaded != null && saved == null) {
                    throw new IllegalArgumentException("checkpoint " + loaded.path() + " holds no weight average, "
                            + "which recipe " + recipe.name() + " keeps: it cannot be resumed exactly");
                }
                ema = new WeightAverage(net, recipe.emaDecay(), saved);
            }
            Running run = new Running(recipe, net, state, store, log, loaded == null ? null : loaded.path(),
                    distilling, ema);
            try (MetricsCsv metrics = new MetricsCsv(options.runDir().resolve(METRICS), state.iteration);
                    StopOnSignal stop = new StopOnSignal()) {
                while (state.epoch < run.epochs) {
                    int epoch = state.epoch;
                    net.getConfiguration().setEpochCount(epoch);
                    run.trainEpoch(new EpochBatches(data.train(), batchSize, run.seed, epoch, data.augmentation()),
                            metrics, stop);
                    // DL4J hands the layers the network's counts at the next fit only; a restored network has them
                    // at once, and its quantizer schedules (rounding hardened at the run's end) must agree with ours
                    for (Layer layer : net.getLayers()) {
                        layer.setIterationCount(net.getConfiguration().getIterationCount());
                        layer.setEpochCount(net.getConfiguration().getEpochCount());
                    }
                    TestScore score = run.ema == null ? recipe.evaluate(net, data.test())
                            : run.ema.with(net, () -> recipe.evaluate(net, data.test()));
                    state.metric = score.metric();
                    state.higherIsBetter = score.higherIsBetter();
                    CheckpointState.EpochRecord r = state.closeEpoch(score.value());
                    metrics.row(epoch, state.iteration, learningRate(net), r.trainLoss, r.trainAccuracy, score.value(),
                            Double.NaN, run.flips.flipRatio());
                    boolean best = TestScore.better(score.value(), state.bestScore, score.higherIsBetter());
                    if (best) {
                        state.bestScore = score.value();
                        state.bestCheckpoint = String.format("ckpt-%012d", state.iteration);
                    }
                    run.checkpoint();
                    log.line(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f%s, %s%s", epoch + 1,
                            run.epochs, r.trainLoss, Double.isNaN(r.trainAccuracy) ? ""
                            : String.format(Locale.ROOT, ", train accuracy %.4f", r.trainAccuracy), score.summary(),
                            best ? " (best)" : ""));
                    curves(state);
                }
            }
            double finalScore = state.history.isEmpty() ? Double.NaN
                    : state.history.get(state.history.size() - 1).testScore;
            String hash = ParamsHash.of(net);
            log.line(String.format(Locale.ROOT, "done: %s %.4f after %d iterations; last checkpoint %s",
                    state.metric(), finalScore, state.iteration, run.last));
            log.line("params sha256: " + hash);
            return new Result(finalScore, state.iteration, hash, run.last);
        }
    }

    /** One run in progress: the model, where it stands, where it is saved and logged, what listens to it. */
    private final class Running {

        final ComputationGraph net;
        final CheckpointState state;
        final CheckpointStore store;
        final RunLog log;
        final int epochs;
        final long seed;
        final FlipRatioListener flips = new FlipRatioListener();
        final TrainAccuracyListener hits = new TrainAccuracyListener();
        final RegularizationScoreListener penalty = new RegularizationScoreListener();
        final ProfileReport profile = options.profile() ? new ProfileReport() : null;
        final Distilling distilling;
        final Recipe recipe;
        final WeightAverage ema;
        Path last;

        Running(Recipe recipe, ComputationGraph net, CheckpointState state, CheckpointStore store, RunLog log,
                Path last, Distilling distilling, WeightAverage ema) {
            this.net = net;
            this.ema = ema;
            this.recipe = recipe;
            this.distilling = distilling;
            this.state = state;
            this.store = store;
            this.log = log;
            this.last = last;
            epochs = recipe.epochs.get();
            seed = recipe.seed.get();
            if (profile != null) {
                net.setListeners(profile.clock(), flips, hits, penalty);
            } else {
                net.setListeners(flips, hits, penalty);
            }
        }

        Path checkpoint() throws IOException {
            last = store.save(net, state, ema == null ? Map.of() : Map.of(CheckpointStore.EMA, ema.average()));
            store.prune(options.keep(), state.bestCheckpoint);
            return last;
        }

        /** Trains the epoch from the batch the state points at. */
        void trainEpoch(EpochBatches batches, MetricsCsv metrics, StopOnSignal stop) throws IOException {
            int epoch = state.epoch;
            ProgressBar bar = options.terminal() ? new ProgressBarBuilder().setTaskName("epoch " + (epoch + 1) + "/"
                    + epochs).setInitialMax(batches.count()).startsFrom(state.batch, java.time.Duration.ZERO)
                    .setStyle(ProgressBarStyle.ASCII).showSpeed().setUnit(" batches", 1).build() : null;
            if (profile != null) {
                profile.reset();
                org.qat4j.layers.Profiler.enable(true);
            }
            try {
                long windowStart = System.nanoTime();
                long windowSamples = 0;
                long windowSteps = 0;
                long windowCorrect = 0;
                for (int b = state.batch; b < batches.count(); b++) {
                    long t0 = System.nanoTime();
                    long stepSeed = seed * 1_000_003L + state.iteration;
                    MultiDataSet step = recipe.trainingBatch(batches.batch(b), stepSeed);
                    long tData = System.nanoTime();
                    if (distilling != null) {
                        step = distilling.batch(step);
                    }
                    Nd4j.getRandom().setSeed(stepSeed);
                    long t1 = System.nanoTime();
                    net.fit(step);
                    long t2 = System.nanoTime();
                    double loss = net.score() - penalty.penalty();
                    // DL4J's losses clip probabilities, so a NaN model can still report a finite loss: check both
                    if (!Double.isFinite(loss) || !Double.isFinite(net.params().sumNumber().doubleValue())) {
                        throw new TrainingFailedException(String.format(Locale.ROOT, "training diverged (loss %s, "
                                + "or non-finite parameters) at epoch %d batch %d (iteration %d); stopped; the last "
                                + "good checkpoint is %s", loss, epoch + 1, b, state.iteration + 1,
                                last == null ? "none" : last));
                    }
                    if (profile != null) {
                        profile.add(t0, tData, t1, t2, System.nanoTime());
                    }
                    long correct = hits.correct(step.getLabels(0));
                    int examples = (int) step.getFeatures(0).size(0);
                    state.step(loss, correct, examples, (t2 - t0) / 1e9);
                    if (ema != null) {
                        ema.update(net, state.iteration);
                    }
                    windowCorrect = correct < 0 || windowCorrect < 0 ? -1 : windowCorrect + correct;
                    windowSamples += examples;
                    windowSteps++;
                    if (state.iteration % options.logEvery() == 0 || b == batches.count() - 1) {
                        double secs = (System.nanoTime() - windowStart) / 1e9;
                        double speed = windowSamples / Math.max(secs, 1e-9);
                        double accuracy = windowCorrect < 0 ? Double.NaN : windowCorrect / (double) windowSamples;
                        metrics.row(epoch, state.iteration, learningRate(net), loss, accuracy, Double.NaN, speed,
                                flips.flipRatio());
                        long stepsLeft = (long) (epochs - epoch - 1) * batches.count() + batches.count() - b - 1;
                        String stats = String.format(Locale.ROOT, "loss %.4f%s, %.0f samples/s%s", loss,
                                Double.isNaN(accuracy) ? "" : String.format(Locale.ROOT, ", accuracy %.4f", accuracy),
                                speed, stepsLeft == 0 ? "" : ", " + duration(secs / windowSteps * stepsLeft)
                                + " of training left");
                        String msg = String.format(Locale.ROOT, "epoch %d/%d batch %d/%d: %s", epoch + 1, epochs,
                                b + 1, batches.count(), stats);
                        if (bar != null) {
                            bar.setExtraMessage(" " + stats);
                            log.fileOnly(msg);
                        } else {
                            log.line(msg);
                        }
                        windowStart = System.nanoTime();
                        windowSamples = 0;
                        windowSteps = 0;
                        windowCorrect = 0;
                    }
                    if (bar != null) {
                        bar.stepTo(b + 1);
                    }
                    if (stop.requested()) {
                        String msg = String.format(Locale.ROOT, "stopped by a signal at epoch %d batch %d/%d "
                                + "(iteration %d); checkpoint %s written; continue with 'qat4j resume %s'", epoch + 1,
                                b + 1, batches.count(), state.iteration, checkpoint().getFileName(),
                                options.runDir());
                        log.line(msg);
                        throw new TrainingStoppedException(msg);
                    }
                    if (options.checkpointEvery() > 0 && state.iteration % options.checkpointEvery() == 0
                            && b < batches.count() - 1) {
                        checkpoint();
                    }
                }
            } finally {
                if (bar != null) {
                    bar.close();
                }
                if (profile != null) {
                    org.qat4j.layers.Profiler.enable(false);
                }
            }
            if (profile != null) {
                profile.render("epoch " + (epoch + 1)).lines().forEach(log::line);
            }
        }
    }

    /** The learning rate of the first layer that has one (frozen layers have none). */
    private static double learningRate(ComputationGraph net) {
        for (Layer l : net.getLayers()) {
            Double lr = l.numParams() > 0 ? net.getLearningRate(l.conf().getLayer().getLayerName()) : null;
            if (lr != null) {
                return lr;
            }
        }
        return Double.NaN;
    }

    private void curves(CheckpointState state) throws IOException {
        double[] x = state.history.stream().mapToDouble(r -> r.epoch + 1).toArray();
        XYChart loss = new XYChartBuilder().width(560).height(400).title("train loss").xAxisTitle("epoch")
                .yAxisTitle("loss").build();
        loss.addSeries("train loss", x, state.history.stream().mapToDouble(r -> r.trainLoss).toArray());
        XYChart test = new XYChartBuilder().width(560).height(400).title(state.metric()).xAxisTitle("epoch")
                .yAxisTitle(state.metric()).build();
        double[] train = state.history.stream().mapToDouble(r -> r.trainAccuracy).toArray();
        if (java.util.Arrays.stream(train).allMatch(Double::isFinite)) {
            test.addSeries("train accuracy", x, train);
        }
        test.addSeries(state.metric(), x, state.history.stream().mapToDouble(r -> r.testScore).toArray());
        Figures.writeSideBySide(List.of(loss, test), options.runDir().resolve(CURVES));
    }
}
