package io.overlaynet.store;

import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A file store lease: {@code .leases/<id>} with its expiry and keys, moved forward every TTL/3. */
final class FileLease implements Store.Lease {
    record State(long expiresMs, long ttlMs, List<String> keys) {
    }

    private final FileStore store;
    private final long id;
    private final Duration ttl;
    private final Path file;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread keeper;

    FileLease(FileStore store, long id, Duration ttl) {
        this.store = store;
        this.id = id;
        this.ttl = ttl;
        this.file = store.root().resolve(FileStore.LEASES).resolve(Long.toString(id));
    }

    static Optional<State> readState(Path p) {
        try {
            return Optional.of(LocalState.JSON.readValue(Files.readAllBytes(p), State.class));
        } catch (IOException e) {
            return Optional.empty(); // gone or unreadable: no lease
        }
    }

    void start() {
        refresh();
        keeper = Thread.ofPlatform().daemon(true).name("file-lease-" + id).start(() -> {
            long period = Math.max(100, ttl.toMillis() / 3);
            try {
                // Woken by close() through the latch, never interrupted: an interrupt in the middle
                // of a file write would close its channel and could leave the lease torn.
                while (!stopped.await(period, TimeUnit.MILLISECONDS)) {
                    refresh();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void refresh() {
        store.locked(() -> {
            List<String> keys = readState(file).map(State::keys).orElse(List.of());
            save(new State(System.currentTimeMillis() + ttl.toMillis(), ttl.toMillis(), keys));
            return null;
        });
    }

    /** Adds a key to the lease; the caller holds the store lock. A revoked or reaped lease refuses it, as in etcd. */
    void attachHeld(String key) throws IOException {
        State st = readState(file).orElseThrow(() -> new StoreException(
                "store " + store.describe() + ": requested lease not found (" + Long.toHexString(id) + ")"));
        if (!st.keys().contains(key)) {
            List<String> keys = new ArrayList<>(st.keys());
            keys.add(key);
            save(new State(st.expiresMs(), st.ttlMs(), keys));
        }
    }

    /** Replaces the lease file whole (temp file and rename), so no reader sees it half-written. */
    private void save(State st) throws IOException {
        FileStore.write(file, LocalState.JSON.writeValueAsString(st), true);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public void revoke() {
        close();
        store.locked(() -> {
            for (String key : readState(file).map(State::keys).orElse(List.of())) {
                store.deleteHeld(key);
            }
            Files.deleteIfExists(file);
            return null;
        });
    }

    /** Stops the keep-alive and waits for a refresh in progress to finish; the lease then runs out. */
    @Override
    public void close() {
        stopped.countDown();
        Thread k = keeper;
        if (k != null && k != Thread.currentThread()) {
            try {
                k.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
