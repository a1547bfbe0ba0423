package io.overlaynet.bench;

import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.state.Trees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Namespaces and files a benchmark makes, all under one unique prefix, removed on close and by a
 * shutdown hook if the run is interrupted.
 */
public final class Scratch implements AutoCloseable {
    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<NetNs> handles = new ArrayList<>();
    private final Path dir;
    private final Thread hook = new Thread(this::cleanup, "scratch-cleanup");

    public Scratch(String kind) {
        prefix = "onb" + kind + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public String prefix() {
        return prefix;
    }

    public Path dir() {
        return dir;
    }

    public synchronized NetNs namespace(String suffix) {
        String name = prefix + "-" + suffix;
        namespaces.add(name);
        NetNs ns = NetNamespaces.create(name);
        handles.add(ns);
        return ns;
    }

    /** Removes one namespace early (e.g. at the end of a round). */
    public synchronized void remove(NetNs ns) {
        ns.close();
        handles.remove(ns);
        ns.name().ifPresent(n -> {
            NetNamespaces.deleteIfExists(n);
            namespaces.remove(n);
        });
    }

    private synchronized void cleanup() {
        for (NetNs h : handles) {
            h.close();
        }
        handles.clear();
        // The prefix is unique to this run: anything carrying it is ours (a lab built on it included).
        for (String n : NetNamespaces.list()) {
            if (n.startsWith(prefix + "-") || namespaces.contains(n)) {
                try {
                    NetNamespaces.deleteIfExists(n);
                } catch (RuntimeException ignored) {
                    // keep cleaning the rest
                }
            }
        }
        namespaces.clear();
        try {
            Trees.remove(dir);
        } catch (UncheckedIOException e) {
            System.err.println("overlaynet: could not remove " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }
}
