package org.qat4j.framework.data;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A labelled classification set the trainer can batch: images ({@link LabeledImages}) or token sequences
 * ({@link LabeledSequences}). Batches are built from row indices, so the trainer's shuffled order (a pure function of
 * seed and epoch) decides what a batch holds and a resumed run sees the batches the uninterrupted one saw.
 */
public interface LabeledExamples {

    int size();

    /** Names of the classes; label i names class i. */
    List<String> classNames();

    default int classes() {
        return classNames().size();
    }

    /**
     * A content fingerprint (SHA-256 of the source data, and of anything derived that changes the features, such as
     * a vocabulary); runs record it so that a resume on other data is caught.
     */
    String fingerprint();

    /** What one example is called in log lines, plural: "images", "messages". */
    String unit();

    /** The first {@code n} examples (all when n is 0 or at least the size). */
    LabeledExamples limit(int n);

    /**
     * The given examples in the given order: features, one-hot labels [b, classes], and a features mask when the
     * examples have padding ([b, length], 1 for real positions).
     */
    DataSet batch(int[] rows);
}
