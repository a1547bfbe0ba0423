package io.overlaynet.netlink.netns;

import io.overlaynet.netlink.sys.Errno;
import io.overlaynet.netlink.sys.Libc;
import io.overlaynet.netlink.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Named network namespaces the iproute2 way: a namespace is kept alive by a bind mount of its
 * namespace file on {@code /run/netns/NAME}, and {@code /run/netns} is a shared mount so the names
 * propagate. Namespaces made here show in {@code ip netns list} and those made by {@code ip netns add}
 * open here. A namespace is made on a namespace thread ({@link #create}) or, to save the hand-off, on
 * the calling platform thread, which then returns to its own namespace ({@link #createHere}).
 */
public final class NetNamespaces {
    public static final Path RUN_DIR = Path.of("/run/netns");
    private static final int NAME_MAX = 255;
    private static volatile boolean runDirShared;
    /** An open file under /run/netns that new names are hard links of ({@link #claimName}); -1 before the first. */
    private static int nameAnchor = -1;
    /** A process's mount namespace never changes: look once. */
    private static final Optional<Path> HOST_MOUNTS = hostMountNamespace();

    private NetNamespaces() {
    }

    /** {@code ip netns add NAME}: creates a new empty namespace and returns a handle on it. */
    public static NetNs create(String name) {
        return create(name, () -> null).namespace();
    }

    /** A namespace just made, and what a task computed inside it on the way. */
    public record Made<T>(NetNs namespace, T value) {
    }

    /**
     * Creates a named namespace and, on the same thread while it is still inside, runs {@code inside}
     * (e.g. opening a socket there): one thread hop instead of two.
     */
    public static <T> Made<T> create(String name, Callable<T> inside) {
        checkName(name);
        ensureRunDir();
        Path target = RUN_DIR.resolve(name);
        Optional<Path> hostMounts = HOST_MOUNTS;
        return NetNs.await(NamespaceThreads.submit(
                () -> makeOnThisThread(target, name, hostMounts, inside)));
    }

    /**
     * As {@link #create(String, Callable)}, on the calling thread when it is a platform thread: it enters
     * the new namespace, runs {@code inside} there and returns to the namespace it was in. No hand-off
     * (waking an idle thread costs ~0.4 ms on a VM). A virtual thread hands the work to a namespace
     * thread instead: its carrier must never change namespace.
     */
    public static <T> Made<T> createHere(String name, Callable<T> inside) {
        if (Thread.currentThread().isVirtual()) {
            return create(name, inside);
        }
        checkName(name);
        ensureRunDir();
        Path target = RUN_DIR.resolve(name);
        int back = Libc.openReadOnly("/proc/thread-self/ns/net");
        try {
            return makeOnThisThread(target, name, HOST_MOUNTS, inside);
        } finally {
            try {
                Libc.setns(back, Libc.CLONE_NEWNET);
            } catch (RuntimeException e) {
                throw new IllegalStateException("thread " + Thread.currentThread().getName()
                        + " cannot return to its network namespace after making " + name, e);
            } finally {
                Libc.close(back);
            }
        }
    }

    /**
     * Claims the name, unshares into a new namespace (this OS thread only), binds it to the name, opens
     * the handle from inside (no second lookup by name) and runs {@code inside}. The caller returns the
     * thread to its namespace. On failure the name is free again.
     */
    private static <T> Made<T> makeOnThisThread(Path target, String name, Optional<Path> hostMounts,
                                                Callable<T> inside) {
        claimName(target, name);
        NetNs ns = null;
        try {
            Libc.unshare(Libc.CLONE_NEWNET);
            if (hostMounts.isPresent()) {
                bindInMountNamespace(hostMounts.get(), target);
            } else {
                Libc.mount("/proc/thread-self/ns/net", target.toString(), "none", Libc.MS_BIND);
            }
            ns = NetNs.ofThisThread(target, name);
            return new Made<>(ns, inside.call());
        } catch (Exception e) {
            if (ns != null) {
                ns.close();
            }
            deleteQuietly(target);
            throw new NamespaceException("cannot create network namespace '" + name + "': " + e.getMessage());
        }
    }

    /**
     * Makes the empty file the namespace is bound onto. A new file costs an inode, ~0.3-0.5 ms on an
     * ext4 without a journal after recent deletes (the allocator steps over every recently freed inode).
     * So the first file this process makes stays open and later names are hard links of it (~0.01 ms):
     * a mount sits on a name, not on the file behind it, so names can share one file. Removing a name
     * ({@code ip netns del}) drops one link; when none is left, or /run/netns was mounted anew, the link
     * fails and a new file is made.
     */
    private static synchronized void claimName(Path target, String name) {
        String path = target.toString();
        if (nameAnchor >= 0) {
            try {
                Libc.linkFd(nameAnchor, path);
                return;
            } catch (SysException e) {
                if (e.errno() == Errno.EEXIST) {
                    throw taken(name, target);
                }
                Libc.close(nameAnchor);
                nameAnchor = -1;
            }
        }
        try {
            // Mode 0, as ip netns add makes it: only the mount on it is ever used.
            nameAnchor = Libc.open(path, Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL, 0);
        } catch (SysException e) {
            if (e.errno() == Errno.EEXIST) {
                throw taken(name, target);
            }
            throw new NamespaceException("cannot create " + target + ": " + Errno.describe(e.errno()));
        }
    }

    private static NamespaceException taken(String name, Path target) {
        return new NamespaceException("network namespace '" + name + "' already exists (" + target
                + "); pick another name or remove it with 'ip netns del " + name + "'");
    }

    /**
     * Under {@code ip netns exec} the process has its own mount namespace, a slave of its parent's, so a
     * bind mount made here would vanish with the process and be invisible to {@code ip netns}. That
     * shows as {@code /run/netns} being a slave mount ("master:N") here. The namespace to make the
     * mount in is then the nearest ancestor process's that differs from ours (the shell that ran
     * {@code ip netns exec}).
     */
    private static Optional<Path> hostMountNamespace() {
        try {
            boolean slave = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" "))
                    .anyMatch(f -> f.length > 6 && f[4].equals(RUN_DIR.toString()) && String.join(" ", f).contains(" master:"));
            if (!slave) {
                return Optional.empty();
            }
            Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"));
            Optional<ProcessHandle> p = ProcessHandle.current().parent();
            while (p.isPresent()) {
                Path candidate = Path.of("/proc/" + p.get().pid() + "/ns/mnt");
                if (!Files.readSymbolicLink(candidate).equals(own)) {
                    // Hold it open: the ancestor may exit long before we make a namespace (a daemon).
                    int fd = Libc.openReadOnly(candidate.toString());
                    return Optional.of(Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd));
                }
                p = p.get().parent();
            }
        } catch (IOException | UnsupportedOperationException | SecurityException | SysException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Makes the bind mount in another mount namespace. A multi-threaded process cannot setns(2) into a
     * mount namespace, so a short-lived single-threaded helper (util-linux nsenter + mount) does it,
     * pointed at this thread's network namespace file.
     */
    private static void bindInMountNamespace(Path mountNs, Path target) throws IOException, InterruptedException {
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        Process p = new ProcessBuilder("nsenter", "--mount=" + mountNs, "--", "mount", "--bind",
                "/proc/" + self + "/ns/net", target.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new NamespaceException("cannot bind " + target + " in the host's mount namespace: " + out);
        }
    }

    /** {@code ip netns del NAME}: unmounts and removes the name; the namespace dies with its last user. */
    public static void delete(String name) {
        checkName(name);
        Path target = RUN_DIR.resolve(name);
        if (!Files.exists(target)) {
            throw new NamespaceException("network namespace '" + name + "' does not exist (no " + target + ")");
        }
        try {
            Libc.umount2(target.toString(), Libc.MNT_DETACH);
        } catch (SysException e) {
            if (e.errno() != Errno.EINVAL) {
                throw new NamespaceException("cannot unmount " + target + ": " + Errno.describe(e.errno()));
            }
        }
        try {
            Files.deleteIfExists(target);
        } catch (IOException e) {
            throw new NamespaceException("cannot remove " + target + ": " + e.getMessage());
        }
    }

    /** Deletes the namespace if it exists; returns whether it did. */
    public static boolean deleteIfExists(String name) {
        if (!exists(name)) {
            return false;
        }
        delete(name);
        return true;
    }

    public static boolean exists(String name) {
        return Files.exists(RUN_DIR.resolve(name));
    }

    /** The path of a named namespace; refused in one line (with the command that makes it) when it is not there. */
    public static Path requireExists(String name) {
        checkName(name);
        Path p = RUN_DIR.resolve(name);
        if (!Files.exists(p)) {
            throw new NamespaceException("network namespace '" + name + "' does not exist (no " + p
                    + "); create it with 'ip netns add " + name + "'");
        }
        return p;
    }

    /** {@code ip netns list}: the names under /run/netns, sorted. */
    public static List<String> list() {
        if (!Files.isDirectory(RUN_DIR)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(RUN_DIR)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Looks up, now, the mount namespace named namespaces must be made in. Daemons started with
     * {@code ip netns exec} call this first thing, while the process that ran them still exists.
     */
    public static void captureHostMounts() {
        HOST_MOUNTS.isPresent();
    }

    /** A namespace name must be a single path component: non-empty, no '/', not '.' or '..'. */
    public static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > NAME_MAX || name.contains("/")
                || name.equals(".") || name.equals("..") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("invalid network namespace name '" + name
                    + "': use 1-255 characters without '/' or spaces");
        }
    }

    private static synchronized void ensureRunDir() {
        if (runDirShared) {
            return;
        }
        try {
            Files.createDirectories(RUN_DIR);
        } catch (IOException e) {
            throw new NamespaceException("cannot create " + RUN_DIR + ": " + e.getMessage()
                    + " (overlaynet must run as root)");
        }
        String dir = RUN_DIR.toString();
        try {
            Libc.mount("", dir, "none", Libc.MS_SHARED | Libc.MS_REC);
        } catch (SysException e) {
            if (e.errno() != Errno.EINVAL) {
                throw new NamespaceException("cannot make " + dir + " a shared mount: " + Errno.describe(e.errno()));
            }
            // Not a mount point yet: bind it onto itself first, as iproute2 does.
            Libc.mount(dir, dir, "none", Libc.MS_BIND | Libc.MS_REC);
            Libc.mount("", dir, "none", Libc.MS_SHARED | Libc.MS_REC);
        }
        runDirShared = true;
    }

    private static void deleteQuietly(Path p) {
        try {
            Libc.umount2(p.toString(), Libc.MNT_DETACH);
        } catch (SysException notMounted) {
            // nothing was mounted yet
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort while unwinding a failed create
        }
    }
}
