package io.overlaynet.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tree goes away whole even while another thread makes and removes temp files in it; pruning takes
 * empty directories only.
 */
class TreesTest {
    @TempDir
    Path tmp;

    @Test
    void removesATreeWhileTempFilesComeAndGo() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path root = tmp.resolve("r" + round);
            Path busy = root.resolve("a/b");
            Files.createDirectories(busy);
            for (int i = 0; i < 200; i++) {
                Files.writeString(busy.resolve("rec" + i), "x");
            }
            // The writer goes on until its flag file is deleted, like a process that notices it is being
            // torn down; until then every directory listing may meet a temp file vanishing or appearing.
            Path flag = root.resolve("writing");
            Files.writeString(flag, "");
            AtomicBoolean stop = new AtomicBoolean();
            Thread churn = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get() && Files.exists(flag); i++) {
                    Path t = busy.resolve(".tmp-" + i);
                    try {
                        Files.writeString(t, "x");
                        Files.deleteIfExists(t);
                    } catch (IOException e) {
                        return; // the directory is gone: nothing more to churn
                    }
                }
            });
            try {
                Thread.sleep(5);
                Trees.remove(root);
            } finally {
                stop.set(true);
                churn.join();
            }
            assertFalse(Files.exists(root), "round " + round + ": " + root + " is still there");
        }
        Trees.remove(tmp.resolve("never-was"));
    }

    @Test
    void pruneEmptyTakesOnlyDirectoriesWithNoFileBelow() throws IOException {
        Path root = tmp.resolve("p");
        Files.createDirectories(root.resolve("empty/deeper/still"));
        Files.createDirectories(root.resolve("kept/sub"));
        Files.writeString(root.resolve("kept/.lock"), "");
        Files.createDirectories(root.resolve("also/emptied"));
        Files.writeString(root.resolve("agent.json"), "{}");

        assertFalse(Trees.pruneEmpty(root), "a file at the top keeps the root");
        assertTrue(Files.exists(root.resolve("agent.json")));
        assertTrue(Files.exists(root.resolve("kept/.lock")), "dot files count as files");
        assertFalse(Files.exists(root.resolve("kept/sub")));
        assertFalse(Files.exists(root.resolve("empty")));
        assertFalse(Files.exists(root.resolve("also")));

        Files.delete(root.resolve("agent.json"));
        Files.delete(root.resolve("kept/.lock"));
        assertTrue(Trees.pruneEmpty(root));
        assertFalse(Files.exists(root));
        assertTrue(Trees.pruneEmpty(root), "nothing there counts as gone");
    }
}
