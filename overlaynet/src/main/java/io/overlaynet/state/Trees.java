package io.overlaynet.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Walking and removing directory trees that other processes may be writing into: records are written
 * through temp files that come and go beside them. {@code Files.walk} gives up, with an unchecked
 * exception, at the first entry that vanishes between the directory listing and its {@code stat}. Here
 * an entry that vanishes counts as gone, and a directory that vanishes mid-walk has nothing under it.
 */
public final class Trees {
    private static final int PASSES = 10;

    private Trees() {
    }

    /**
     * Visits the directories and files under {@code dir} (itself included), leaving out names that start
     * with a dot (temp files, locks). A file that vanishes after the listing is still visited, so the
     * visitor must take it as absent. Any other error fails: a partial listing must never pass for a
     * whole one (a store's watch would report every key it left out as deleted).
     */
    public static void walk(Path dir, Consumer<Path> onDir, Consumer<Path> onFile) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            onDir.accept(dir);
            for (Path p : entries) {
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    walk(p, onDir, onFile);
                } else {
                    onFile.accept(p);
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            // vanished (or never there): nothing under it
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes {@code dir} and everything under it; nothing to do if it is not there. A directory cannot
     * go while a file appears in it, so each pass deletes what it finds and keeps going past a failure;
     * a bounded number of passes then either leave nothing or report why.
     */
    public static void remove(Path dir) {
        IOException last = null;
        for (int pass = 0; pass < PASSES && Files.exists(dir, LinkOption.NOFOLLOW_LINKS); pass++) {
            try {
                delete(dir);
            } catch (IOException e) {
                last = e;
            }
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            IOException why = last != null ? last : new IOException("it came back after " + PASSES + " passes");
            throw new UncheckedIOException("cannot remove " + dir + ": " + why.getMessage(), why);
        }
    }

    /**
     * Removes {@code dir} and the directories under it that hold no file, deepest first; files (dot files
     * included) are never touched, so a directory with anything in it stays. Returns true when {@code dir}
     * is gone afterwards.
     */
    public static boolean pruneEmpty(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    pruneEmpty(p);
                }
            }
        } catch (NoSuchFileException gone) {
            return true;
        } catch (NotDirectoryException file) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (DirectoryNotEmptyException kept) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One pass over {@code p}: its entries first (as many as will go), then itself. */
    private static void delete(Path p) throws IOException {
        IOException failed = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
            for (Path e : entries) {
                try {
                    if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
                        delete(e);
                    } else {
                        Files.deleteIfExists(e);
                    }
                } catch (IOException x) {
                    failed = x;
                }
            }
        } catch (NoSuchFileException gone) {
            return;
        } catch (NotDirectoryException file) {
            // a file (or a link): delete it below
        }
        if (failed != null) {
            throw failed;
        }
        Files.deleteIfExists(p);
    }
}
