package io.overlaynet.netlink.netns;

import io.overlaynet.netlink.sys.Libc;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Platform threads that run one task inside a namespace at a time and always go home afterwards.
 * Creating a thread per task costs more than the task (a socket, a sysctl); these threads are reused.
 *
 * <p>Every task starts with {@code setns(target)} and ends with {@code setns(home)}, home being the
 * namespace of the process's main thread, opened once. A thread that cannot go home is never reused:
 * it ends by throwing, and the pool replaces it.
 */
final class NamespaceThreads {
    private static final int HOME_FD = Libc.openReadOnly("/proc/self/ns/net");
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> Thread.ofPlatform().daemon(true)
                    .name("netns-worker-" + COUNT.incrementAndGet()).unstarted(r));

    static {
        POOL.setCorePoolSize(2);
        POOL.allowCoreThreadTimeOut(true);
    }

    private NamespaceThreads() {
    }

    /** Runs {@code task} on a worker at home (the process's namespace), e.g. to make a namespace from there. */
    static <T> CompletableFuture<T> submit(Callable<T> task) {
        return submit(HOME_FD, task);
    }

    /** Runs {@code task} with a worker inside the namespace behind {@code fd}. */
    static <T> CompletableFuture<T> submit(int fd, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        POOL.execute(() -> {
            try {
                Libc.setns(fd, Libc.CLONE_NEWNET);
            } catch (Throwable t) {
                result.completeExceptionally(t); // setns failed as a whole: the worker is still at home
                return;
            }
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
            try {
                Libc.setns(HOME_FD, Libc.CLONE_NEWNET);
            } catch (RuntimeException e) {
                // Stuck in a foreign namespace: this thread must die rather than serve another task.
                throw new IllegalStateException("namespace worker cannot return home; retiring it", e);
            }
        });
        return result;
    }
}
