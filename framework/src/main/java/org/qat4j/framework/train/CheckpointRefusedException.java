package org.qat4j.framework.train;

/**
 * A checkpoint that is intact but must not or cannot be loaded here: its configuration names a class outside the
 * allow-list, or its recipe is not on the classpath. Every checkpoint of a run shares both, so unlike damage this
 * is not a reason to fall back to an older checkpoint.
 */
public class CheckpointRefusedException extends IllegalArgumentException {

    public CheckpointRefusedException(String message) {
        super(message);
    }
}
