package io.overlaynet.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Removing a directory tree that other processes may still be writing into: temp files come and go
 * beside records. {@code Files.walk} gives up, with an unchecked exception, at the first entry that
 * vanishes between the directory listing and its {@code stat}, and a directory cannot go while a file
 * appears in it. So each pass deletes whatever it finds, takes a vanished entry as deleted, and keeps
 * going past a failure; a bounded number of passes then either leave nothing or report why.
 */
public final class Trees {
    private static final int PASSES = 10;

    private Trees() {
    }

    /** Deletes {@code dir} and everything under it; nothing to do if it is not there. */
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
