package org.qat4j.framework.train;

/** Training stopped on a signal after writing a checkpoint; the trainer has already said how to resume. */
public class TrainingStoppedException extends RuntimeException {

    public TrainingStoppedException(String message) {
        super(message);
    }
}
