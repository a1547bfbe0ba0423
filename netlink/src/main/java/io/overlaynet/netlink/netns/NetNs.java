package io.overlaynet.netlink.netns;

import io.overlaynet.netlink.sys.Errno;
import io.overlaynet.netlink.sys.Libc;
import io.overlaynet.netlink.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An open handle on a network namespace: a file descriptor of a namespace file, which keeps the
 * namespace alive while open. Obtain one by name ({@code /run/netns/NAME}, as iproute2 names them),
 * by path (any bind mount or {@code /proc/PID/ns/net}) or by pid.
 *
 * <p>{@link #call} runs a task inside the namespace on a dedicated platform thread: {@code setns(2)}
 * changes only the calling OS thread, so the task never runs on a pooled or virtual thread and the
 * caller's own thread never changes namespace.
 */
public final class NetNs implements AutoCloseable {
    private final int fd;
    private final Path path;
    private final Optional<String> name;
    private volatile boolean closed;

    private NetNs(int fd, Path path, Optional<String> name) {
        this.fd = fd;
        this.path = path;
        this.name = name;
    }

    /**
     * A handle on the namespace the calling thread is in, under the name it was just bound to: used by
     * {@link NetNamespaces#create} from inside the new namespace, where there is nothing to check.
     */
    static NetNs ofThisThread(Path boundTo, String name) {
        return new NetNs(Libc.openReadOnly("/proc/thread-self/ns/net"), boundTo, Optional.of(name));
    }

    /** Opens a namespace made by {@code ip netns add NAME} or {@link NetNamespaces#create}. */
    public static NetNs named(String name) {
        return open(NetNamespaces.requireExists(name), Optional.of(name));
    }

    /** Opens a namespace file: {@code /proc/PID/ns/net}, {@code /run/netns/NAME}, a Docker SandboxKey. */
    public static NetNs open(Path path) {
        Optional<String> name = path.getParent() != null && path.getParent().equals(NetNamespaces.RUN_DIR)
                ? Optional.of(path.getFileName().toString()) : Optional.empty();
        return open(path, name);
    }

    /** Opens the network namespace of a running process. */
    public static NetNs ofPid(long pid) {
        Path p = Path.of("/proc", Long.toString(pid), "ns", "net");
        if (!Files.exists(p)) {
            throw new NamespaceException("no process with pid " + pid + " (no " + p + ")");
        }
        return open(p, Optional.empty());
    }

    /** The namespace of the calling thread. */
    public static NetNs current() {
        return open(Path.of("/proc/thread-self/ns/net"), Optional.empty());
    }

    private static NetNs open(Path path, Optional<String> name) {
        int fd;
        try {
            fd = Libc.openReadOnly(path.toString());
        } catch (SysException e) {
            String why = e.errno() == Errno.ENOENT ? "it does not exist" : Errno.describe(e.errno());
            throw new NamespaceException("cannot open network namespace " + path + ": " + why);
        }
        // A name whose bind mount is gone (or any other file) opens fine but is no namespace: a
        // namespace is either a /proc magic link ("net:[inode]") or a bind mount of nsfs.
        boolean namespace;
        try {
            namespace = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith("net:[")
                    || Files.getFileStore(path).type().equals("nsfs");
        } catch (IOException e) {
            namespace = false;
        }
        if (!namespace) {
            Libc.close(fd);
            throw new NamespaceException(path + " is not a network namespace (a stale name?"
                    + name.map(n -> " remove it with 'ip netns del " + n + "'").orElse("") + ")");
        }
        return new NetNs(fd, path, name);
    }

    public int fd() {
        if (closed) {
            throw new IllegalStateException("namespace handle " + this + " is closed");
        }
        return fd;
    }

    public Path path() {
        return path;
    }

    public Optional<String> name() {
        return name;
    }

    /** The namespace's inode number: two handles with the same inode are the same namespace. */
    public long inode() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code task} inside this namespace on a dedicated platform thread (pooled, never the
     * caller's) and returns its result.
     */
    public <T> T call(Callable<T> task) {
        return await(NamespaceThreads.submit(fd(), task));
    }

    /** Waits for a task started on a namespace thread; its own runtime exception is thrown as it was. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NamespaceException("interrupted while running a task in a namespace");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new NamespaceException("task in a namespace failed: " + cause);
        }
    }

    /** Runs {@code task} inside this namespace on a dedicated platform thread. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return name.map(n -> "netns " + n).orElse("netns " + path);
    }
}
