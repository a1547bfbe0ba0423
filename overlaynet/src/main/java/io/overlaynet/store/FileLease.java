package io.overlaynet.store;

import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A file store lease: {@code .leases/<id>} with its expiry and keys, moved forward every TTL/3. */
final class FileLease implements Store.Lease {
    record State(long expiresMs, long ttlMs, List<String> keys) {
    }

    private final FileStore store;
    private final long id;
    private final Duration ttl;
    private final Path file;
    private volatile boolean stopped;
    private Thread keeper;

    FileLease(FileStore store, long id, Duration ttl) {
        this.store = store;
        this.id = id;
        this.ttl = ttl;
        this.file = store.root().resolve(FileStore.LEASES).resolve(Long.toString(id));
    }

    static Optional<State> readState(Path p) {
        try {
            return Optional.of(LocalState.JSON.readValue(Files.readAllBytes(p), State.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void start() {
        refresh();
        keeper = Thread.ofPlatform().daemon(true).name("file-lease-" + id).start(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(Math.max(100, ttl.toMillis() / 3));
                } catch (InterruptedException e) {
                    return;
                }
                if (!stopped) {
                    refresh();
                }
            }
        });
    }

    private void refresh() {
        store.locked(() -> {
            List<String> keys = readState(file).map(State::keys).orElse(List.of());
            Files.write(file, LocalState.JSON.writeValueAsBytes(
                    new State(System.currentTimeMillis() + ttl.toMillis(), ttl.toMillis(), keys)));
            return null;
        });
    }

    void attach(String key) {
        store.locked(() -> {
            State st = readState(file).orElse(new State(System.currentTimeMillis() + ttl.toMillis(), ttl.toMillis(), List.of()));
            List<String> keys = new ArrayList<>(st.keys());
            if (!keys.contains(key)) {
                keys.add(key);
            }
            Files.write(file, LocalState.JSON.writeValueAsBytes(new State(st.expiresMs(), st.ttlMs(), keys)));
            return null;
        });
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public void revoke() {
        close();
        List<String> keys = readState(file).map(State::keys).orElse(List.of());
        keys.forEach(store::delete);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stopped = true;
        if (keeper != null) {
            keeper.interrupt();
        }
    }
}
