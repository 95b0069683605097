package org.qat4j.framework.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.qat4j.framework.data.FashionMnist;
import org.qat4j.framework.data.LabeledImages;
import org.qat4j.framework.diffusion.DiffusionImages;
import org.qat4j.framework.recipe.Recipes;
import org.qat4j.framework.train.CheckpointStore;
import org.qat4j.framework.train.Trainer;

/** Features, labels and FID-FMNIST from a classifier trained for a few steps on the bundled Fashion-MNIST sample. */
class ClassifierFeaturesTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @TempDir
    static Path shared;
    static Path data;
    static Path classifierRun;
    static ClassifierFeatures classifier;
    static LabeledImages test;

    @BeforeAll
    static void trainClassifier() throws Exception {
        data = shared.resolve("data");
        Files.createDirectories(data);
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            try (var in = FashionMnist.class.getResourceAsStream("/org/qat4j/framework/data/fashion-mnist-sample/" + f
                    + ".gz")) {
                Files.copy(in, data.resolve(f + ".gz"));
            }
        }
        classifierRun = shared.resolve("classifier");
        new Trainer(new Trainer.Options(classifierRun, data, 0, 2, 100, false), QUIET)
                .start(Recipes.create("tiny-classifier"));
        classifier = ClassifierFeatures.open(classifierRun);
        test = FashionMnist.bundled().test();
    }

    /** Test images [from, to) as [n, 1, 28, 28] in [0, 1]. */
    private static INDArray images(int from, int to) {
        return test.pixels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup()
                .reshape(to - from, 1, 28, 28);
    }

    /** Images as a diffusion model sees them: x = 2p - 1, padded by 2 with background -1, FLOAT. */
    private static INDArray padded(INDArray images) {
        return DiffusionImages.fromClassifierRange(images);
    }

    @Test
    void featuresAreTheActivationsOfTheInputOfTheLogitsLayer() throws Exception {
        assertEquals("gap", classifier.featureVertex());
        assertEquals(TinyClassifier.WIDTH, classifier.width());
        assertEquals(10, classifier.classes());
        assertEquals("tiny-classifier", classifier.recipe());
        // more than one batch
        INDArray x = images(0, ClassifierFeatures.BATCH + 44);
        ClassifierFeatures.Output out = classifier.compute(x);
        assertArrayEquals(new long[] {x.size(0), TinyClassifier.WIDTH}, out.features().shape());
        assertEquals(DataType.DOUBLE, out.features().dataType());

        // the trained network itself, read independently
        ComputationGraph net = CheckpointStore.open(classifierRun).model();
        Map<String, INDArray> acts = net.feedForward(x, false);
        assertArrayEquals(acts.get("gap").castTo(DataType.DOUBLE).dup().data().asDouble(),
                out.features().dup().data().asDouble(), 1e-5);
        INDArray expectedLabels = net.output(x)[0].argMax(1);
        int agree = 0;
        for (int i = 0; i < x.size(0); i++) {
            assertEquals(expectedLabels.getInt(i), out.predicted()[i], "image " + i);
            agree += out.predicted()[i] == test.labels()[i] ? 1 : 0;
        }
        assertTrue(agree > 0.25 * x.size(0), "a trained classifier: " + agree + " of " + x.size(0) + " right");
        Path newest = new CheckpointStore(classifierRun, Trainer.recipePackages()).list().get(0);
        assertEquals(classifier.paramsSha256(), ClassifierFeatures.open(newest.resolve("model.zip")).paramsSha256(),
                "a run directory opens its newest checkpoint");
    }

    @Test
    void diffusionImagesComeBackAsTheClassifierImagesBitForBit() {
        INDArray x = images(0, 50);
        INDArray back = DiffusionImages.toClassifierRange(padded(x));
        assertArrayEquals(new long[] {50, 1, 28, 28}, back.shape());
        assertEquals(DataType.FLOAT, back.dataType());
        assertArrayEquals(x.dup().data().asFloat(), back.dup().data().asFloat(), 0f);
        assertArrayEquals(x.castTo(DataType.FLOAT).data().asFloat(),
                DiffusionImages.toClassifierRange(padded(x).castTo(DataType.DOUBLE)).data().asFloat(), 0f);
        ClassifierFeatures.Output direct = classifier.compute(x);
        ClassifierFeatures.Output viaDiffusion = classifier.compute(padded(x));
        assertArrayEquals(direct.features().toDoubleMatrix(), viaDiffusion.features().toDoubleMatrix());
        assertArrayEquals(direct.predicted(), viaDiffusion.predicted());

        // samples stray outside [-1, 1] and between the 8-bit levels
        INDArray sample = Nd4j.valueArrayOf(new long[] {1, 1, 32, 32}, -1.0, DataType.FLOAT);
        sample.putScalar(new long[] {0, 0, 2, 2}, 1.5);
        sample.putScalar(new long[] {0, 0, 2, 3}, -3);
        sample.putScalar(new long[] {0, 0, 2, 4}, 2 * 100.4 / 255 - 1);
        sample.putScalar(new long[] {0, 0, 29, 29}, 0);
        sample.putScalar(new long[] {0, 0, 0, 0}, 1);
        float[] expected = new float[28 * 28];
        expected[0] = 1;
        expected[2] = 100 / 255f;
        // 0 is half-way between levels 127 and 128
        expected[28 * 28 - 1] = 128 / 255f;
        assertArrayEquals(expected, DiffusionImages.toClassifierRange(sample).data().asFloat(), 0f,
                "clamped, rounded to k/255, the padding (with a 1 at its corner) cropped away");
    }

    @Test
    void theTestSampleIsAtDistanceZeroFromItself() {
        FidFmnist fid = new FidFmnist(classifier, test);
        assertEquals(1000, fid.referenceSize());
        INDArray all = images(0, 1000);
        for (INDArray x : List.of(all, padded(all))) {
            FidFmnist.Result r = fid.score(x);
            assertEquals(0, r.fid(), 1e-6);
            assertEquals(1000, r.samples());
            assertEquals(1000, r.referenceImages());
            assertEquals(1000, r.labels().total());
            assertEquals(FashionMnist.CLASSES[9], r.labels().classNames().get(9));
            assertEquals(r.labels().entropyBits(), r.labelEntropyBits());
            assertTrue(r.labelEntropyBits() > 2, "a trained classifier sees several classes in the test set: "
                    + r.labels().describe());
        }
    }

    @Test
    void twoHalvesOfTheRealImagesAreMuchCloserThanRealImagesAndNoise() {
        FidFmnist fid = new FidFmnist(classifier, test);
        // the reference is the first 500 images, the samples the other 500
        FidFmnist.Result real = fid.score(images(500, 1000), 500);
        Nd4j.getRandom().setSeed(7);
        INDArray noise = Nd4j.rand(DataType.FLOAT, 500, 1, 32, 32).muli(2).subi(1);
        FidFmnist.Result random = fid.score(noise, 500);
        assertTrue(real.fid() > 0 && real.fid() * 10 < random.fid(), "real halves " + real.fid() + ", noise "
                + random.fid());
        assertTrue(random.labelEntropyBits() < real.labelEntropyBits(), "noise looks like fewer classes: "
                + random.labels().describe());
        assertEquals(real.fid(), FrechetDistance.between(classifier.compute(images(0, 500)).features(),
                classifier.compute(images(500, 1000)).features()), 1e-9 * real.fid());
    }

    @Test
    void referenceStatisticsAreComputedOncePerClassifierTestSetAndCount() {
        GaussianStats first = new FidFmnist(classifier, test).referenceStats(300);
        assertSame(first, new FidFmnist(classifier, test).referenceStats(300));
        assertNotSame(first, new FidFmnist(classifier, test).referenceStats(301));
        assertNotSame(first, new FidFmnist(classifier, test.limit(900)).referenceStats(300),
                "another test set, another fingerprint");
        assertEquals(TinyClassifier.WIDTH, first.dimension());
    }

    private static void assertRefused(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aClassifierEndingInASoftmaxOutputLayerGivesTheInputOfThatLayer() throws Exception {
        Path tiny = shared.resolve("tiny");
        new Trainer(new Trainer.Options(tiny, data, 0, 2, 100, false), QUIET).start(Recipes.create("tiny"));
        ClassifierFeatures features = ClassifierFeatures.open(tiny);
        assertEquals("gap", features.featureVertex());
        ComputationGraph net = CheckpointStore.open(tiny).model();
        INDArray x = images(0, 40);
        ClassifierFeatures.Output out = features.compute(x);
        assertTrue(out.features().sub(net.feedForward(x, false).get("gap").castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue() < 1e-5);
        assertArrayEquals(net.output(false, x)[0].argMax(1).toIntVector(), out.predicted());
        assertRefused(() -> ClassifierFeatures.open(shared.resolve("nowhere")), "classifier: no such checkpoint");
    }

    @Test
    void badImagesAreRefused() {
        FidFmnist fid = new FidFmnist(classifier, test);
        String shapes = "expected [N, 1, 28, 28] in the classifier's range [0, 1] or [N, 1, 32, 32]";
        assertRefused(() -> classifier.compute(Nd4j.zeros(DataType.FLOAT, 2, 1, 30, 30)), shapes, "[2, 1, 30, 30]");
        assertRefused(() -> classifier.compute(Nd4j.zeros(DataType.FLOAT, 2, 3, 28, 28)), shapes);
        assertRefused(() -> classifier.compute(Nd4j.zeros(DataType.FLOAT, 2, 784)), shapes);
        assertRefused(() -> classifier.compute(Nd4j.zeros(DataType.FLOAT, 0, 1, 28, 28)), shapes);
        assertRefused(() -> classifier.compute(images(0, 4).mul(2).subi(1)), "classifier's range [0, 1]",
                "[N, 1, 32, 32] in [-1, 1]");
        assertRefused(() -> classifier.compute(padded(images(0, 4)).putScalar(new long[] {1, 0, 9, 9}, Double.NaN)),
                "4 images hold non-finite values");
        assertRefused(() -> DiffusionImages.toClassifierRange(images(0, 4)), "expected images [N, C, 32, 32]");
        assertRefused(() -> fid.score(images(0, 1)), "at least 2 samples, got 1");
        assertRefused(() -> fid.score(images(0, 10), 1001), "2..1000 test images", "got 1001");
    }
}
