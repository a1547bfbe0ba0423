package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.netns.NetNs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Per-namespace network sysctls ({@code sysctl -w net.ipv4....}). {@code /proc/sys/net} shows the
 * namespace of the thread that opens it, so reads and writes run on a thread inside the namespace.
 */
public final class Sysctl {
    private static final Path ROOT = Path.of("/proc/sys");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private final Optional<NetNs> namespace;

    Sysctl(Optional<NetNs> namespace) {
        this.namespace = namespace;
    }

    /** One {@code KEY=VALUE}; an optional one is skipped where the kernel lacks it (a module not loaded). */
    public record Setting(String key, String value, boolean optional) {
        public static Setting of(String key, String value) {
            return new Setting(key, value, false);
        }

        public static Setting ifPresent(String key, String value) {
            return new Setting(key, value, true);
        }
    }

    /** Applies settings in the calling thread's namespace (used while a new namespace is being made). */
    static void applyHere(List<Setting> settings) {
        for (Setting st : settings) {
            Path p = path(st.key());
            try {
                Files.writeString(p, st.value());
            } catch (NoSuchFileException e) {
                if (!st.optional()) {
                    throw new UncheckedIOException("cannot set sysctl " + st.key() + ": no such key", e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set sysctl " + st.key() + "=" + st.value() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Applies settings in this handle's namespace (optional ones skipped where the kernel lacks them). */
    public void apply(List<Setting> settings) {
        inside(() -> {
            applyHere(settings);
            return null;
        });
    }

    /** {@code sysctl KEY}, e.g. {@code net.ipv4.ip_forward}. */
    public String get(String key) {
        Path p = path(key);
        return inside(() -> {
            try {
                return Files.readString(p).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read sysctl " + key + ": " + e.getMessage(), e);
            }
        });
    }

    /** {@code sysctl -w KEY=VALUE}. */
    public void set(String key, String value) {
        apply(List.of(Setting.of(key, value)));
    }

    /** {@code net.ipv4.ip_forward}. */
    public void ipForward(boolean on) {
        set("net.ipv4.ip_forward", on ? "1" : "0");
    }

    /**
     * {@code net.ipv4.neigh.default.gc_thresh1..3}: the neighbour-table sizes. The kernel's default hard
     * limit (gc_thresh3) is 1024 entries.
     */
    public void neighbourTableLimits(int thresh1, int thresh2, int thresh3) {
        if (!(thresh1 <= thresh2 && thresh2 <= thresh3)) {
            throw new IllegalArgumentException("gc_thresh values must grow: " + thresh1 + " <= " + thresh2
                    + " <= " + thresh3);
        }
        set("net.ipv4.neigh.default.gc_thresh3", Integer.toString(thresh3));
        set("net.ipv4.neigh.default.gc_thresh2", Integer.toString(thresh2));
        set("net.ipv4.neigh.default.gc_thresh1", Integer.toString(thresh1));
    }

    /** {@code net.ipv4.neigh.DEV.retrans_time_ms}: how long ARP waits before asking again. */
    public void arpRetransmitMillis(String dev, int millis) {
        Check.linkName(dev);
        set("net.ipv4.neigh." + dev + ".retrans_time_ms", Integer.toString(millis));
    }

    private static Path path(String key) {
        if (!KEY.matcher(key).matches() || key.contains("..") || !key.startsWith("net.")) {
            throw new IllegalArgumentException("sysctl key '" + key + "' is not a net.* key");
        }
        return ROOT.resolve(key.replace('.', '/'));
    }

    private <T> T inside(java.util.concurrent.Callable<T> task) {
        if (namespace.isPresent()) {
            return namespace.get().call(task);
        }
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
