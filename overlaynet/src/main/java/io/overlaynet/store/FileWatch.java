package io.overlaynet.store;

import io.overlaynet.state.Trees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches a prefix of a {@link FileStore} with inotify (the JDK's WatchService on Linux): every change
 * in the tree triggers a rescan, whose differences become Put and Deleted events. A periodic rescan
 * covers what inotify can drop (queue overflow), and expired leases are reaped on the same beat.
 */
final class FileWatch implements Store.Watch {
    private static final long RESCAN_MS = 1000;
    private final FileStore store;
    private final String prefix;
    private final Consumer<Store.Event> listener;
    private final WatchService service;
    private final Map<String, String> known = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    FileWatch(FileStore store, String prefix, Consumer<Store.Event> listener) {
        this.store = store;
        this.prefix = prefix;
        this.listener = listener;
        try {
            this.service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + store.root() + ": " + e.getMessage(), e);
        }
        Store.Snapshot first = store.list(prefix);
        first.entries().forEach(e -> known.put(e.key(), e.value()));
        registerTree();
        listener.accept(new Store.Event.Reset(first));
        thread = Thread.ofPlatform().daemon(true).name("file-watch").start(this::loop);
    }

    private void registerTree() {
        Path base = store.prefixDir(prefix);
        try {
            Files.createDirectories(base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + base + ": " + e.getMessage(), e);
        }
        Trees.walk(base, d -> {
            try {
                d.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException e) {
                // the directory vanished after it was listed: nothing left in it to watch
            }
        }, f -> { });
    }

    private void loop() {
        long nextRescan = System.currentTimeMillis() + RESCAN_MS;
        while (!closed) {
            try {
                WatchKey key = service.poll(Math.max(1, nextRescan - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                    // coalesce a burst of events into one rescan
                    WatchKey more;
                    while ((more = service.poll()) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                    registerTree();
                    rescan();
                }
                if (System.currentTimeMillis() >= nextRescan) {
                    store.reapExpired();
                    rescan();
                    nextRescan = System.currentTimeMillis() + RESCAN_MS;
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // keep watching: the next rescan catches up
            }
        }
    }

    private void rescan() {
        Store.Snapshot now = store.list(prefix);
        Map<String, String> seen = new HashMap<>();
        for (Store.Entry e : now.entries()) {
            seen.put(e.key(), e.value());
            if (!e.value().equals(known.get(e.key()))) {
                listener.accept(new Store.Event.Put(e));
            }
        }
        for (String k : known.keySet()) {
            if (!seen.containsKey(k)) {
                listener.accept(new Store.Event.Deleted(k, now.revision()));
            }
        }
        known.clear();
        known.putAll(seen);
    }

    @Override
    public void close() {
        closed = true;
        try {
            service.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        thread.interrupt();
    }
}
