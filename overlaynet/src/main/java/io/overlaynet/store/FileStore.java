package io.overlaynet.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.state.LocalState;
import io.overlaynet.state.Trees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The default store: one file per key under a root directory ({@code file:///var/lib/overlaynet/store}),
 * holding the value. Writes are atomic (temp file + rename; create-if-absent is a hard link, which
 * fails when the name exists). A lock file serialises the revision counter across processes.
 *
 * <p>It also mirrors endpoints in the walkthroughs' layout, {@code arp/<ip>} holding the MAC and
 * {@code fdb/<mac>} holding the host's IP, so the walkthroughs' container script and daemon work against the
 * same directory, and {@link #scriptRecord} reads entries those scripts wrote.
 *
 * <p>Leases are files under {@code .leases/} with an expiry time that a keep-alive thread moves
 * forward; {@link FileWatch} reaps expired ones (deleting their keys) as etcd would.
 */
public final class FileStore implements Store {
    static final String LEASES = ".leases";
    private static final AtomicLong SEQ = new AtomicLong();
    private static final Map<Path, ReentrantLock> LOCAL_LOCKS = new ConcurrentHashMap<>();
    private final Path root;

    public FileStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root.resolve(LEASES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create store directory " + root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    Path path(String key) {
        if (!key.startsWith("/") || key.contains("/../") || key.endsWith("/..") || key.contains("\0")) {
            throw new IllegalArgumentException("bad store key '" + key + "'");
        }
        return root.resolve(key.substring(1));
    }

    /** The directory holding a prefix's keys ({@code /a/b/} and {@code /a/b} alike). */
    Path prefixDir(String prefix) {
        return path(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
    }

    String keyOf(Path p) {
        return "/" + root.relativize(p).toString();
    }

    @Override
    public Optional<Entry> get(String key) {
        return read(path(key)).map(v -> new Entry(key, v, revision()));
    }

    static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (Files.isDirectory(p)) {
                return Optional.empty();
            }
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Snapshot list(String prefix) {
        long rev = revision();
        List<Path> files = new ArrayList<>();
        Trees.walk(prefixDir(prefix), d -> { }, files::add);
        List<Entry> out = new ArrayList<>();
        for (Path p : files.stream().sorted().toList()) {
            read(p).ifPresent(v -> out.add(new Entry(keyOf(p), v, rev)));
        }
        return new Snapshot(out, rev);
    }

    @Override
    public void put(String key, String value) {
        locked(() -> {
            write(path(key), value, true);
            mirror(key, value);
            return null;
        });
    }

    @Override
    public void put(String key, String value, Lease lease) {
        locked(() -> {
            ((FileLease) lease).attachHeld(key);
            write(path(key), value, true);
            mirror(key, value);
            return null;
        });
    }

    @Override
    public boolean create(String key, String value, Optional<Lease> lease) {
        return locked(() -> {
            if (Files.exists(path(key))) {
                return false;
            }
            if (lease.isPresent()) {
                ((FileLease) lease.get()).attachHeld(key);
            }
            if (!write(path(key), value, false)) {
                return false;
            }
            mirror(key, value);
            return true;
        });
    }

    @Override
    public boolean delete(String key) {
        return locked(() -> deleteHeld(key));
    }

    /** Deletes a key and its mirror; the caller holds the store lock. */
    boolean deleteHeld(String key) throws IOException {
        Optional<String> old = read(path(key));
        boolean gone = Files.deleteIfExists(path(key));
        if (old.isPresent()) {
            unmirror(key, old.get());
        }
        return gone;
    }

    /** Writes through a temp file: rename (replace) or hard link (only if absent). */
    static boolean write(Path target, String value, boolean replace) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(".tmp-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        Files.writeString(tmp, value, StandardCharsets.UTF_8);
        try {
            if (replace) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return true;
            }
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The walkthroughs' layout: arp/&lt;ip&gt; = MAC, fdb/&lt;mac&gt; = host IP, for endpoint keys. */
    private void mirror(String key, String value) throws IOException {
        if (!key.startsWith(Keys.ENDPOINTS)) {
            return;
        }
        Optional<JsonNode> n = json(value);
        if (n.isEmpty() || !n.get().hasNonNull("mac") || !n.get().hasNonNull("vtep")) {
            return;
        }
        String mac = n.get().get("mac").asText();
        write(root.resolve("arp").resolve(Keys.leaf(key)), mac, true);
        write(root.resolve("fdb").resolve(mac), n.get().get("vtep").asText(), true);
    }

    private void unmirror(String key, String value) throws IOException {
        if (!key.startsWith(Keys.ENDPOINTS)) {
            return;
        }
        Files.deleteIfExists(root.resolve("arp").resolve(Keys.leaf(key)));
        Optional<JsonNode> n = json(value);
        if (n.isPresent() && n.get().hasNonNull("mac")) {
            Files.deleteIfExists(root.resolve("fdb").resolve(n.get().get("mac").asText()));
        }
    }

    private static Optional<JsonNode> json(String value) {
        try {
            return Optional.of(LocalState.JSON.readTree(value));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The scripts' records for an IP: the MAC in arp/&lt;ip&gt; and the host IP in fdb/&lt;mac&gt;. */
    @Override
    public Optional<ScriptRecord> scriptRecord(String ip) {
        return read(root.resolve("arp").resolve(ip)).map(String::trim)
                .flatMap(mac -> read(root.resolve("fdb").resolve(mac)).map(v -> new ScriptRecord(mac, v.trim())));
    }

    /** The scripts' record for a MAC: the host IP in fdb/&lt;mac&gt;. */
    @Override
    public Optional<String> scriptVtep(String mac) {
        return read(root.resolve("fdb").resolve(mac)).map(String::trim);
    }

    long revision() {
        return read(root.resolve(".revision")).map(String::trim).filter(s -> !s.isEmpty()).map(Long::parseLong).orElse(0L);
    }

    interface IoAction<T> {
        T run() throws IOException;
    }

    /** Runs a write under the store-wide lock and bumps the revision. */
    <T> T locked(IoAction<T> action) {
        // File locks are per process: threads of this JVM queue on a lock of their own first.
        ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(root.toAbsolutePath().normalize(), k -> new ReentrantLock());
        local.lock();
        try (FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            T result = action.run();
            write(root.resolve(".revision"), Long.toString(revision() + 1), true);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("store " + root + ": " + e.getMessage(), e);
        } finally {
            local.unlock();
        }
    }

    @Override
    public Lease grant(Duration ttl) {
        long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        FileLease l = new FileLease(this, id, ttl);
        l.start();
        return l;
    }

    @Override
    public Optional<Duration> leaseLeft(long leaseId) {
        return FileLease.readState(root.resolve(LEASES).resolve(Long.toString(leaseId)))
                .map(st -> Duration.ofMillis(st.expiresMs() - System.currentTimeMillis()))
                .filter(d -> !d.isNegative());
    }

    @Override
    public Optional<Lease> resume(long leaseId, Duration ttl) {
        Path p = root.resolve(LEASES).resolve(Long.toString(leaseId));
        Optional<FileLease.State> st = FileLease.readState(p);
        if (st.isEmpty() || st.get().expiresMs() < System.currentTimeMillis()) {
            return Optional.empty();
        }
        FileLease l = new FileLease(this, leaseId, ttl);
        l.start();
        return Optional.of(l);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, Consumer<Event> listener) {
        return new FileWatch(this, prefix, listener);
    }

    /** Deletes the keys of every expired lease; returns how many leases it reaped. */
    int reapExpired() {
        int n = 0;
        try (Stream<Path> s = Files.list(root.resolve(LEASES))) {
            for (Path p : s.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                // Checked again under the lock: its keeper may have just moved it forward.
                boolean reaped = locked(() -> {
                    Optional<FileLease.State> st = FileLease.readState(p);
                    if (st.isEmpty() || st.get().expiresMs() >= System.currentTimeMillis()) {
                        return false;
                    }
                    for (String key : st.get().keys()) {
                        deleteHeld(key);
                    }
                    Files.deleteIfExists(p);
                    return true;
                });
                n += reaped ? 1 : 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    @Override
    public String describe() {
        return "file://" + root;
    }

    @Override
    public void close() {
    }

    /** Removes the whole store directory (tests, lab down). */
    public void destroy() {
        Trees.remove(root);
    }
}
