package io.overlaynet.dataplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The endpoints of one network on this host: {@code endpoints/<network>/journal}, one JSON line per
 * change, appended while holding a lock on {@code endpoints/<network>/.lock}.
 * <ul>
 *   <li>{@code claim} (the whole record): name and IP are taken, the endpoint is being made;</li>
 *   <li>{@code ready}: the endpoint works;</li>
 *   <li>{@code gone}: removed, or its add failed and was undone.</li>
 * </ul>
 * Why not a file per endpoint: each new file costs an inode, ~0.3-1 ms on this VM's ext4 (no journal,
 * so the allocator steps over every recently freed inode), a sixth of an attach. An append costs tens
 * of microseconds. A process keeps both files open and what it read, and reads only what was appended
 * since. A line cut short by a crash has no newline: it is ignored and cut off before the next append.
 * The file is rewritten with only the live entries when it is mostly history, and removed when none is
 * left.
 */
final class EndpointJournal {
    static final String FILE = "journal";
    static final String LOCK = ".lock";

    /** A claimed endpoint; {@code ready} once every step of its add has been done. */
    record Entry(EndpointRecord record, boolean ready) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(String op, EndpointRecord rec, String name) {
    }

    /**
     * What this process holds of one network's journal. Only touched with {@code lock} held (threads of
     * this process) and, for the files, the file lock too (other processes).
     */
    private static final class Folded {
        final ReentrantLock lock = new ReentrantLock();
        FileChannel lockFile;
        Object lockKey;
        /** Open while the file exists: an open file keeps its inode number from being reused. */
        FileChannel journal;
        Object journalKey;
        long offset;
        int lines;
        Map<String, Entry> byName = new HashMap<>();
        Map<String, String> nameByIp = new HashMap<>();
    }

    private static final Map<Path, Folded> FOLDED = new ConcurrentHashMap<>();
    private final Path dir;
    private final Path file;

    EndpointJournal(Path stateRoot, String network) {
        // One key per file however the state directory was spelled: two channels of one process on
        // .lock would make the second lock() fail (fcntl locks belong to the process).
        this.dir = stateRoot.resolve("endpoints").resolve(network).toAbsolutePath().normalize();
        this.file = dir.resolve(FILE);
    }

    Optional<Entry> byName(String name) {
        return locked(false, f -> Optional.ofNullable(f.byName.get(name)));
    }

    Optional<Entry> byIp(String ip) {
        return locked(false, f -> Optional.ofNullable(f.nameByIp.get(ip)).map(f.byName::get));
    }

    /** The endpoints that work, by name. */
    List<EndpointRecord> ready() {
        return locked(false, f -> f.byName.values().stream().filter(Entry::ready).map(Entry::record)
                .sorted((a, b) -> a.name().compareTo(b.name())).toList());
    }

    /** Takes the record's name and IP; returns the entry already holding either, and then takes nothing. */
    Optional<Entry> claim(EndpointRecord rec) {
        return locked(true, f -> {
            Entry held = f.byName.get(rec.name());
            if (held == null && f.nameByIp.containsKey(rec.ip())) {
                held = f.byName.get(f.nameByIp.get(rec.ip()));
            }
            if (held != null) {
                return Optional.of(held);
            }
            append(f, new Line("claim", rec, null));
            return Optional.empty();
        });
    }

    /** Marks a claimed endpoint as working. */
    void ready(String name) {
        locked(false, f -> {
            if (!f.byName.containsKey(name)) {
                throw new IllegalStateException("endpoint " + name + " lost its claim in " + file + " meanwhile");
            }
            append(f, new Line("ready", null, name));
            return null;
        });
    }

    /** Frees the name and IP; returns whether they were held. */
    boolean release(String name) {
        return locked(false, f -> {
            if (!f.byName.containsKey(name)) {
                return false;
            }
            if (f.byName.size() == 1) {
                Files.deleteIfExists(file);
                closeJournal(f);
            } else if (f.lines + 1 > 4 * (f.byName.size() - 1) + 64) {
                apply(f, new Line("gone", null, name));
                rewrite(f);
            } else {
                append(f, new Line("gone", null, name));
            }
            return true;
        });
    }

    /** Lets go of what this process holds of the network's journal (the network was removed). */
    static void forget(Path stateRoot, String network) {
        // Kept in the map (emptied): a thread already waiting on its lock then finds it closed and
        // reopens the files, instead of a second Folded holding a second channel on .lock.
        Folded f = FOLDED.get(new EndpointJournal(stateRoot, network).file);
        if (f != null) {
            f.lock.lock();
            try {
                closeJournal(f);
                closeQuietly(f.lockFile);
                f.lockFile = null;
                f.lockKey = null;
            } finally {
                f.lock.unlock();
            }
        }
    }

    // ---- locking and reading --------------------------------------------------------------------

    interface Task<T> {
        T run(Folded f) throws IOException;
    }

    /**
     * Runs {@code task} on the up-to-date fold, holding this process's lock on the journal and a file
     * lock on {@code .lock} (fcntl: between processes; the process's own lock orders its threads). With
     * no {@code create} and no directory yet, the task sees no endpoints.
     */
    private <T> T locked(boolean create, Task<T> task) {
        Folded f = FOLDED.computeIfAbsent(file, k -> new Folded());
        f.lock.lock();
        FileLock held = null;
        try {
            if (!openLockFile(f, create)) {
                closeJournal(f);
                return task.run(f);
            }
            held = f.lockFile.lock();
            refresh(f);
            return task.run(f);
        } catch (IOException e) {
            throw new UncheckedIOException("endpoint journal " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                if (held != null) {
                    held.release();
                }
            } catch (IOException ignored) {
                // the channel is gone, and its lock with it
            } finally {
                f.lock.unlock();
            }
        }
    }

    /** Opens {@code .lock} again when it is not the file held open (first use, or the network was remade). */
    private boolean openLockFile(Folded f, boolean create) throws IOException {
        Path p = dir.resolve(LOCK);
        Object key = fileKey(p);
        // A channel is closed for good when a thread using it is interrupted: open it again then.
        if (key != null && key.equals(f.lockKey) && f.lockFile.isOpen()) {
            return true;
        }
        closeQuietly(f.lockFile);
        f.lockFile = null;
        f.lockKey = null;
        if (key == null) {
            if (!create) {
                return false;
            }
            Files.createDirectories(dir);
        }
        f.lockFile = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        f.lockKey = fileKey(p);
        return true;
    }

    /** Brings the fold up to date: reads only what was appended since, unless the file was replaced. */
    private void refresh(Folded f) throws IOException {
        Object key = fileKey(file);
        if (key == null) {
            closeJournal(f);
            return;
        }
        if (!key.equals(f.journalKey) || !f.journal.isOpen()) {
            closeJournal(f);
            f.journal = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            f.journalKey = key;
        }
        long size = f.journal.size();
        if (size < f.offset) {
            clear(f); // cut back by someone else: read it all again
        }
        if (size == f.offset) {
            return;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (size - f.offset));
        while (buf.hasRemaining() && f.journal.read(buf, f.offset + buf.position()) > 0) {
            // until full or at the end
        }
        byte[] tail = buf.array();
        int start = 0;
        for (int i = 0; i < buf.position(); i++) {
            if (tail[i] == '\n') {
                parse(tail, start, i - start).ifPresent(line -> apply(f, line));
                start = i + 1;
            }
        }
        f.offset += start; // bytes after the last newline: an append in flight or cut short
    }

    private static Object fileKey(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Optional<Line> parse(byte[] bytes, int from, int length) {
        try {
            return Optional.of(LocalState.JSON.readValue(bytes, from, length, Line.class));
        } catch (IOException corrupt) {
            return Optional.empty(); // whole lines are written in one call; a damaged one says nothing usable
        }
    }

    private static void apply(Folded f, Line line) {
        f.lines++;
        switch (String.valueOf(line.op())) {
            case "claim" -> {
                if (line.rec() != null) {
                    f.byName.put(line.rec().name(), new Entry(line.rec(), false));
                    f.nameByIp.put(line.rec().ip(), line.rec().name());
                }
            }
            case "ready" -> f.byName.computeIfPresent(line.name(), (k, e) -> new Entry(e.record(), true));
            case "gone" -> {
                Entry e = f.byName.remove(line.name());
                if (e != null) {
                    f.nameByIp.remove(e.record().ip(), line.name());
                }
            }
            default -> {
                // a kind of line from a newer version
            }
        }
    }

    /** Empties the fold: nothing read yet. */
    private static void clear(Folded f) {
        f.offset = 0;
        f.lines = 0;
        f.byName = new HashMap<>();
        f.nameByIp = new HashMap<>();
    }

    private static void closeJournal(Folded f) {
        closeQuietly(f.journal);
        f.journal = null;
        f.journalKey = null;
        clear(f);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was written through it that could be lost
            }
        }
    }

    // ---- writing (both locks held) --------------------------------------------------------------

    private void append(Folded f, Line line) throws IOException {
        if (f.journal == null) {
            f.journal = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            f.journalKey = fileKey(file);
        }
        if (f.journal.size() > f.offset) {
            f.journal.truncate(f.offset); // the remains of a line a crashed writer did not finish
        }
        ByteBuffer buf = ByteBuffer.wrap((encode(line) + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            f.journal.write(buf, f.offset + buf.position());
        }
        apply(f, line);
        f.offset += buf.limit();
    }

    /** Replaces the file with one claim (and ready) line per live entry. */
    private void rewrite(Folded f) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Entry e : new ArrayList<>(f.byName.values())) {
            sb.append(encode(new Line("claim", e.record(), null))).append('\n');
            if (e.ready()) {
                sb.append(encode(new Line("ready", null, e.record().name()))).append('\n');
            }
        }
        Path tmp = dir.resolve("." + FILE + ".tmp-" + ProcessHandle.current().pid());
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        closeJournal(f);
        refresh(f);
    }

    /**
     * One line of JSON, written by hand: Jackson's generic path cost ~0.3 ms a line here until the JIT
     * has compiled it, which a command that attaches a few endpoints never sees. Reading stays with
     * Jackson (lines of other processes only). A test holds this to what Jackson reads back.
     */
    static String encode(Line line) {
        StringBuilder b = new StringBuilder(224).append("{\"op\":");
        quote(b, line.op());
        EndpointRecord r = line.rec();
        if (r != null) {
            b.append(",\"rec\":{\"network\":");
            quote(b, r.network());
            b.append(",\"name\":");
            quote(b, r.name());
            b.append(",\"ip\":");
            quote(b, r.ip());
            b.append(",\"mac\":");
            quote(b, r.mac());
            b.append(",\"namespace\":");
            quote(b, r.namespace());
            b.append(",\"ownNamespace\":").append(r.ownNamespace());
            b.append(",\"hostVeth\":");
            quote(b, r.hostVeth());
            b.append(",\"containerIf\":");
            quote(b, r.containerIf());
            b.append('}');
        }
        if (line.name() != null) {
            b.append(",\"name\":");
            quote(b, line.name());
        }
        return b.append('}').toString();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
