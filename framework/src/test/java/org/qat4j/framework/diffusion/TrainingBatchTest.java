package org.qat4j.framework.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TrainingBatchTest {

    private final NoiseSchedule ddpm = NoiseSchedule.linear();
    private final INDArray x0 = Nd4j.create(NoiseScheduleTest.gaussians(16 * 3 * 5 * 5, 9), new long[] {16, 3, 5, 5},
            DataType.DOUBLE).castTo(DataType.FLOAT);

    @Test
    void sameSeedGivesTheSameBatchBitForBit() {
        TrainingBatch a = TrainingBatch.draw(ddpm, x0, 42L);
        Nd4j.getRandom().setSeed(7);
        Nd4j.rand(DataType.FLOAT, 100);
        TrainingBatch b = TrainingBatch.draw(ddpm, x0, 42L);
        assertArrayEquals(a.xt().data().asFloat(), b.xt().data().asFloat());
        assertArrayEquals(a.eps().data().asFloat(), b.eps().data().asFloat());
        assertArrayEquals(a.t().data().asFloat(), b.t().data().asFloat());
        TrainingBatch r1 = TrainingBatch.draw(ddpm, x0, new Random(5));
        TrainingBatch r2 = TrainingBatch.draw(ddpm, x0, new Random(5));
        assertArrayEquals(r1.xt().data().asFloat(), r2.xt().data().asFloat());
    }

    @Test
    void differentSeedsGiveDifferentBatches() {
        TrainingBatch a = TrainingBatch.draw(ddpm, x0, 42L);
        TrainingBatch b = TrainingBatch.draw(ddpm, x0, 43L);
        assertFalse(a.eps().equals(b.eps()));
        assertFalse(a.t().equals(b.t()));
    }

    @Test
    void batchIsTheForwardProcessAtTheDrawnTimesteps() {
        TrainingBatch b = TrainingBatch.draw(ddpm, x0, 3L);
        assertArrayEquals(new long[] {16, 1}, b.t().shape());
        assertEquals(DataType.FLOAT, b.t().dataType());
        assertArrayEquals(x0.shape(), b.eps().shape());
        int[] t = new int[16];
        for (int i = 0; i < 16; i++) {
            float f = b.t().getFloat(i, 0);
            t[i] = (int) f;
            assertEquals(t[i], f);
            assertTrue(t[i] >= 0 && t[i] < 1000);
        }
        assertArrayEquals(ddpm.noisy(x0, t, b.eps()).data().asFloat(), b.xt().data().asFloat());
        double mean = b.eps().meanNumber().doubleValue();
        double std = b.eps().stdNumber().doubleValue();
        assertEquals(0, mean, 0.1, "noise mean over 1200 values");
        assertEquals(1, std, 0.1, "noise std over 1200 values");
    }

    @Test
    void timestepsAreUniform() {
        NoiseSchedule ten = NoiseSchedule.linear(10, 1e-3, 0.2);
        INDArray images = Nd4j.zeros(DataType.FLOAT, 5000, 1, 1, 1);
        INDArray t = TrainingBatch.draw(ten, images, 11L).t();
        int[] counts = new int[10];
        for (int i = 0; i < 5000; i++) {
            counts[(int) t.getFloat(i, 0)]++;
        }
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - 500.0) * (c - 500.0) / 500.0;
        }
        // 9 degrees of freedom: P(chi2 > 27.9) = 0.001
        assertTrue(chi2 < 27.9, "chi-square " + chi2 + " of counts " + Arrays.toString(counts));
    }

    @Test
    void refusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> TrainingBatch.draw(null, x0, 1L));
        assertThrows(IllegalArgumentException.class, () -> TrainingBatch.draw(ddpm, Nd4j.zeros(DataType.FLOAT, 5), 1L));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingBatch.draw(ddpm, Nd4j.zeros(DataType.INT, 2, 3), 1L));
    }
}
