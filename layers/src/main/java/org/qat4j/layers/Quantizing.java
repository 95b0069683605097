package org.qat4j.layers;

import java.util.List;
import org.qat4j.estimators.Quantizer;

/** A layer configuration that holds quantizers, e.g. to advance their schedules without training. */
public interface Quantizing {

    /** The quantizers the layer applies (none absent). */
    List<Quantizer> quantizers();

    /** Evaluates every quantizer's schedules at a point of training, as the trainer does each step. */
    default void onProgress(int epoch, int iteration) {
        for (Quantizer q : quantizers()) {
            q.onProgress(epoch, iteration);
        }
    }
}
