package org.qat4j.framework.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM during training: the JVM runs its shutdown hooks while the training thread goes on, so the hook
 * only raises a flag and waits; the trainer finishes the step it is in, writes a checkpoint, says how to resume and
 * releases the hook, and the JVM exits. A trainer stuck longer than {@link #GRACE_SECONDS} is not waited for: the
 * previous checkpoint is intact anyway (checkpoints are written atomically).
 */
final class StopOnSignal implements AutoCloseable {

    static final long GRACE_SECONDS = 120;

    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean requested;

    StopOnSignal() {
        hook = new Thread(() -> {
            requested = true;
            try {
                released.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "qat4j-stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether the process has been asked to stop. */
    boolean requested() {
        return requested;
    }

    /** The trainer is done (stopped or finished): let a pending shutdown proceed. */
    @Override
    public void close() {
        released.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // the hook is running and has just been released
        }
    }
}
