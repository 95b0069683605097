package org.qat4j.framework.train;

/** Training cannot go on (e.g. the loss became NaN); the message says why and which checkpoint is intact. */
public class TrainingFailedException extends RuntimeException {

    public TrainingFailedException(String message) {
        super(message);
    }
}
