package org.qat4j.framework.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** What both samplers promise: seeded, batch-independent, progress reported, bad input refused. */
class DiffusionSamplerTest {

    private static final NoiseSchedule DDPM = NoiseSchedule.linear();
    private static final long[] SHAPE = {2, 3, 3};
    private static final EpsilonModel MODEL = Oracles.gaussian(DDPM, 0.1, 0.4);

    static Stream<DiffusionSampler.Builder<?>> samplers() {
        return Stream.of(DdpmSampler.builder(DDPM), DdimSampler.builder(DDPM).steps(20).eta(0.5),
                DdimSampler.builder(DDPM).steps(20));
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void sameSeedSameImagesInAnyBatching(DiffusionSampler.Builder<?> builder) {
        DiffusionSampler byThree = builder.batchSize(3).build();
        INDArray a = byThree.sample(MODEL, 10, SHAPE, 99L);
        INDArray b = byThree.sample(MODEL, 10, SHAPE, 99L);
        INDArray whole = builder.batchSize(10).build().sample(MODEL, 10, SHAPE, 99L);
        INDArray firstFour = builder.batchSize(4).build().sample(MODEL, 4, SHAPE, 99L);
        assertArrayEquals(new long[] {10, 2, 3, 3}, a.shape());
        assertEquals(DataType.FLOAT, a.dataType());
        assertArrayEquals(a.data().asFloat(), b.data().asFloat());
        assertArrayEquals(a.data().asFloat(), whole.data().asFloat());
        assertArrayEquals(a.get(NDArrayIndex.interval(0, 4)).dup().data().asFloat(), firstFour.data().asFloat());
        INDArray other = byThree.sample(MODEL, 10, SHAPE, 100L);
        for (int i = 0; i < 10; i++) {
            assertFalse(a.get(NDArrayIndex.point(i)).equals(other.get(NDArrayIndex.point(i))), "sample " + i);
        }
    }

    /** A model that predicts no noise sees every x_t as a scaled-up image; only clipping keeps it in [-1, 1]. */
    @ParameterizedTest
    @MethodSource("samplers")
    void clippingKeepsSamplesInRange(DiffusionSampler.Builder<?> builder) {
        EpsilonModel silent = (x, t) -> Nd4j.zerosLike(x);
        INDArray clipped = builder.clipDenoised(true).build().sample(silent, 4, SHAPE, 3L);
        INDArray free = builder.clipDenoised(false).build().sample(silent, 4, SHAPE, 3L);
        assertTrue(clipped.amaxNumber().doubleValue() <= 1 + 1e-6, "clipped samples reach " + clipped.amaxNumber());
        assertTrue(free.amaxNumber().doubleValue() > 2, "unclipped samples reach only " + free.amaxNumber());
    }

    @Test
    void reportsEveryModelEvaluation() {
        DiffusionSampler ddim = DdimSampler.builder(DDPM).steps(20).batchSize(3).build();
        List<Integer> reported = new ArrayList<>();
        int[] calls = {0};
        ddim.sample((x, t) -> {
            calls[0]++;
            return MODEL.predict(x, t);
        }, 10, SHAPE, 1L, reported::add);
        assertEquals(80, ddim.totalSteps(10));
        assertEquals(80, calls[0]);
        assertEquals(IntStream.rangeClosed(1, 80).boxed().toList(), reported);
        assertEquals(4000, DdpmSampler.builder(DDPM).batchSize(64).build().totalSteps(200));
    }

    @Test
    void refusesBadInput() {
        DiffusionSampler ddim = DdimSampler.builder(DDPM).steps(5).build();
        assertThrows(IllegalArgumentException.class, () -> ddim.sample(MODEL, 0, SHAPE, 1L));
        assertThrows(IllegalArgumentException.class, () -> ddim.sample(MODEL, 2, new long[] {3, 3}, 1L));
        assertThrows(IllegalArgumentException.class, () -> ddim.sample(MODEL, 2, new long[] {1, 0, 3}, 1L));
        assertThrows(IllegalArgumentException.class, () -> ddim.sample(null, 2, SHAPE, 1L));
        assertThrows(IllegalArgumentException.class,
                () -> ddim.sample((x, t) -> Nd4j.zeros(DataType.FLOAT, 2, 18), 2, SHAPE, 1L));
        assertThrows(IllegalArgumentException.class, () -> DdpmSampler.builder(DDPM).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DdpmSampler.builder(null));
        assertThrows(IllegalArgumentException.class, () -> DdpmSampler.builder(DDPM).variance(null));
    }
}
