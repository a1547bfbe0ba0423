package io.overlaynet.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A host's record of what overlaynet made: small JSON files under a state directory, each written
 * atomically (temp file + rename) so a crash leaves the old or the new record, never half of one.
 */
public final class LocalState {
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .findAndRegisterModules();

    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong SEQ = new AtomicLong();
    private final Path root;
    /** Records read before, with the identity of the file they came from (see {@link #readCached}). */
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Object fileKey, FileTime modified, long size, Object value) {
    }

    public LocalState(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public void write(String relative, Object record) {
        write(relative, record, false);
    }

    /** As {@link #write}, readable and writable by the owner alone (mode 0600) from the moment it has a name. */
    public void writePrivate(String relative, Object record) {
        write(relative, record, true);
    }

    private void write(String relative, Object record, boolean ownerOnly) {
        Path target = root.resolve(relative);
        // Same directory, unique per process and call: rename(2) then replaces atomically.
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + PID + "-" + SEQ.incrementAndGet());
        try {
            byte[] bytes = JSON.writeValueAsBytes(record);
            try {
                Files.write(tmp, bytes);
            } catch (NoSuchFileException e) {
                Files.createDirectories(target.getParent());
                Files.write(tmp, bytes);
            }
            if (ownerOnly) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // reporting the first failure
            }
            throw cannotWrite(target, e);
        }
    }

    private static UncheckedIOException cannotWrite(Path target, IOException e) {
        return new UncheckedIOException("cannot write state " + target + ": " + e.getMessage()
                + " (is the state directory writable? set --state-dir)", e);
    }

    /**
     * As {@link #read}, but a record already parsed from the same file is reused: every write replaces
     * the file (a new inode), so one stat tells whether the copy in hand is still the record on disk.
     * For records read on every command (a network's), where parsing costs more than the work itself.
     */
    public <T> Optional<T> readCached(String relative, Class<T> type) {
        Path p = root.resolve(relative);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            cache.remove(relative);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state file " + p + ": " + e.getMessage(), e);
        }
        Cached c = cache.get(relative);
        if (c != null && type.isInstance(c.value()) && Objects.equals(c.fileKey(), a.fileKey())
                && c.modified().equals(a.lastModifiedTime()) && c.size() == a.size()) {
            return Optional.of(type.cast(c.value()));
        }
        Optional<T> value = read(relative, type);
        value.ifPresent(v -> cache.put(relative, new Cached(a.fileKey(), a.lastModifiedTime(), a.size(), v)));
        return value;
    }

    /** Whether a record exists, without reading it. */
    public boolean exists(String relative) {
        return Files.exists(root.resolve(relative)); // without link options: no exception when it is missing
    }

    public <T> Optional<T> read(String relative, Class<T> type) {
        Path p = root.resolve(relative);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state file " + p + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(JSON.readValue(bytes, type));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt state file " + p + ": " + e.getMessage()
                    + " (remove it or run 'overlaynet host reset')", e);
        }
    }

    /**
     * Every record in a directory, sorted by file name; each parsed again only when its file changed
     * (see {@link #readCached}): the agent lists its networks on every store event.
     */
    public <T> List<T> list(String relativeDir, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (String name : names(relativeDir)) {
            if (name.endsWith(".json") && !name.startsWith(".")) {
                readCached(Path.of(relativeDir, name).toString(), type).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The names of the entries of a directory under the root, sorted; none when it does not exist. */
    public List<String> names(String relativeDir) {
        Path dir = root.resolve(relativeDir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean delete(String relative) {
        try {
            return Files.deleteIfExists(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the whole state directory. */
    public void deleteAll() {
        deleteTree("");
    }

    /** Removes a directory tree under the root (e.g. a network's endpoint records). */
    public void deleteTree(String relativeDir) {
        Trees.remove(root.resolve(relativeDir).normalize());
    }
}
