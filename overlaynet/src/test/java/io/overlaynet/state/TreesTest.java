package io.overlaynet.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** A tree goes away whole even while another thread makes and removes temp files in it. */
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
}
