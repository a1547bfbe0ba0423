package io.overlaynet.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * For a command that runs until Ctrl-C (monitor, capture): the signal clears {@link #running}, and the
 * process ends only once the command has closed what it opened (at most 2 s later), so it ends
 * cleanly, without a stack trace or a socket left behind.
 */
final class UntilInterrupted implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    UntilInterrupted(String name) {
        hook = new Thread(() -> {
            running.set(false);
            try {
                done.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean running() {
        return running.get();
    }

    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook runs, and lets the process end now that the command has closed
        }
    }
}
