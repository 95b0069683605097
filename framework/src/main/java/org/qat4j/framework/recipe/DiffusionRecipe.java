package org.qat4j.framework.recipe;

import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.data.LabeledExamples;
import org.qat4j.framework.diffusion.DiffusionImages;
import org.qat4j.framework.diffusion.EpsilonModel;
import org.qat4j.framework.diffusion.NoiseSchedule;
import org.qat4j.framework.diffusion.TrainingBatch;

/**
 * Base of the denoising diffusion recipes (DDPM, Ho et al. 2020) on Fashion-MNIST: the network takes a noised image
 * {@code x_t} (input {@value #INPUT}, 32x32x1: the 28x28 images zero-padded and mapped to [-1, 1],
 * {@link DiffusionImages}) and its timestep t (input {@value #TIME}, [N, 1]) and predicts the noise; the output
 * {@value #OUTPUT} is the per-pixel mean squared error against the true noise.
 * <pre>
 *   t ~ U{0..T-1},  eps ~ N(0, I),  x_t = sqrt(alphaBar_t) x0 + sqrt(1 - alphaBar_t) eps,  L = mean (eps_theta(x_t, t) - eps)^2
 * </pre>
 * Each step's t and eps are drawn from the step's seed, so a resumed run trains on the same batches. The test score
 * is the same loss on the test images with t and eps drawn from a fixed seed (lower is better); sample quality is
 * measured apart from training ({@code qat4j fid}). The trainer keeps an exponential moving average of the weights
 * ({@link #emaDecay()}), which evaluation and sampling use.
 */
public abstract class DiffusionRecipe extends Recipe {

    public static final String INPUT = "in";
    public static final String TIME = "t";
    public static final String OUTPUT = "out";
    /** The seed of the test set's noise and timesteps, the same in every evaluation. */
    static final long TEST_SEED = 0x7e57_5eedL;

    public final Hyperparameters.Param<Integer> timesteps = hyperparameters().integer("timesteps", 1000, 2, 100_000,
            "diffusion steps T");
    public final Hyperparameters.Param<Double> betaStart = hyperparameters().real("betaStart", 1e-4, 1e-8, 0.5,
            "noise variance beta_1 of the first step (linear schedule)");
    public final Hyperparameters.Param<Double> betaEnd = hyperparameters().real("betaEnd", 0.02, 1e-8, 0.999,
            "noise variance beta_T of the last step (linear schedule)");
    public final Hyperparameters.Param<Double> ema = hyperparameters().real("emaDecay", 0.999, 0.0, 0.999_999,
            "decay of the exponential moving average of the weights used to evaluate and sample (0 = none)");

    /** The noise schedule of the recipe's settings. */
    public NoiseSchedule schedule() {
        if (!(betaEnd.get() >= betaStart.get())) {
            throw new IllegalArgumentException("recipe " + name() + ": betaEnd (" + betaEnd.get()
                    + ") must be >= betaStart (" + betaStart.get() + ")");
        }
        return NoiseSchedule.linear(timesteps.get(), betaStart.get(), betaEnd.get());
    }

    @Override
    public double emaDecay() {
        return ema.get();
    }

    @Override
    public Data loadData(Path dataDir) throws IOException {
        FashionMnist f = FashionMnist.load(dataDir);
        schedule();
        return new Data(f.source(), f.train().limit(trainLimit.get()), f.test().limit(testLimit.get()));
    }

    @Override
    public InputType[] inputTypes() {
        return new InputType[] {InputType.convolutional(DiffusionImages.SIZE, DiffusionImages.SIZE, 1),
                InputType.feedForward(1)};
    }

    @Override
    public MultiDataSet trainingBatch(DataSet examples, long seed) {
        TrainingBatch b = TrainingBatch.draw(schedule(), DiffusionImages.fromClassifierRange(examples.getFeatures()),
                seed);
        return new MultiDataSet(new INDArray[] {b.xt(), b.t()}, new INDArray[] {b.eps()});
    }

    /** The denoising loss on the test images, with each batch's t and eps drawn from a fixed seed. */
    @Override
    public TestScore evaluate(ComputationGraph net, LabeledExamples test) {
        NoiseSchedule schedule = schedule();
        double sum = 0;
        long count = 0;
        int batch = batchSize.get();
        for (int from = 0, k = 0; from < test.size(); from += batch, k++) {
            int[] rows = java.util.stream.IntStream.range(from, Math.min(from + batch, test.size())).toArray();
            TrainingBatch b = TrainingBatch.draw(schedule, DiffusionImages.fromClassifierRange(
                    test.batch(rows).getFeatures()), TEST_SEED + k);
            INDArray predicted = net.output(false, b.xt(), b.t())[0];
            sum += predicted.castTo(b.eps().dataType()).squaredDistance(b.eps());
            count += b.eps().length();
        }
        return TestScore.of("test loss", sum / count, false);
    }

    /** The network as a noise predictor for the samplers. */
    public static EpsilonModel epsilonModel(ComputationGraph net) {
        return (xt, t) -> {
            INDArray time = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, t.length, 1);
            for (int i = 0; i < t.length; i++) {
                time.putScalar(i, 0, t[i]);
            }
            return net.output(false, xt, time)[0];
        };
    }

    /** A graph builder with the {@link #networkDefaults} and the two inputs; add layers and {@link #output}. */
    protected ComputationGraphConfiguration.GraphBuilder graph(int iterationsPerEpoch) {
        return networkDefaults(iterationsPerEpoch).graphBuilder().addInputs(INPUT, TIME).setInputTypes(inputTypes());
    }

    /**
     * The weight of the denoising loss in the objective: 1, or 0 for a run that learns from a teacher alone (the
     * calibration of post-training quantization reconstructs the FP32 network's output instead).
     */
    protected double taskWeight() {
        return 1;
    }

    /**
     * The output {@value #OUTPUT}: the mean squared error per pixel of the predicted noise (the vertex {@code eps}).
     * DL4J's CNN loss sums the loss of every position of an example; the weight 1/(H W) makes the score the mean,
     * the figure the test loss reports. Returns the output's name.
     */
    protected String output(ComputationGraphConfiguration.GraphBuilder g, String eps) {
        INDArray perPixel = Nd4j.create(new double[] {taskWeight() / (DiffusionImages.SIZE * DiffusionImages.SIZE)});
        g.addLayer(OUTPUT, new CnnLossLayer.Builder().lossFunction(new LossMSE(perPixel))
                .activation(Activation.IDENTITY).build(), eps);
        return OUTPUT;
    }
}
