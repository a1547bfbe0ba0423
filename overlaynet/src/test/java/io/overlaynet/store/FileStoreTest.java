package io.overlaynet.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract on the file store, plus the walkthroughs' arp/fdb layout. */
class FileStoreTest extends StoreContract {
    private final Path dir;

    FileStoreTest() {
        try {
            dir = Files.createTempDirectory("overlaynet-store-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Store openClient() {
        return new FileStore(dir);
    }

    @AfterEach
    void removeDir() {
        new FileStore(dir).destroy();
    }

    /**
     * Writers make and remove temp files beside the keys; a listing or a new watch that meets one
     * vanishing must neither fail nor leave out the keys that were there all along.
     */
    @Test
    void listingsAndNewWatchesStayWholeWhileAnotherClientWrites() throws Exception {
        FileStore reader = new FileStore(dir);
        FileStore writer = new FileStore(dir);
        String prefix = "/overlaynet/busy/";
        for (int k = 0; k < 20; k++) {
            reader.put(prefix + "stable" + k, "v");
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = Thread.ofPlatform().start(() -> {
            for (int i = 0; !stop.get(); i++) {
                writer.create(prefix + "c" + (i % 50), "v", Optional.empty());
                writer.put(prefix + "p" + (i % 50), "v" + i);
                writer.delete(prefix + "c" + (i % 50));
            }
        });
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int listings = 0;
            while (System.nanoTime() < deadline) {
                List<String> keys = reader.list(prefix).entries().stream().map(Store.Entry::key).toList();
                for (int k = 0; k < 20; k++) {
                    assertTrue(keys.contains(prefix + "stable" + k), "listing " + listings + " lost stable" + k + ": " + keys);
                }
                listings++;
                if (listings % 20 == 0) {
                    reader.watch(prefix, 0, e -> { }).close();
                }
            }
            assertTrue(listings > 100, "only " + listings + " listings in 3 s");
        } finally {
            stop.set(true);
            churn.join();
        }
    }

    /** The keep-alive refreshes every 100 ms here: each round gives a revoke a chance to land on a refresh in progress. */
    @Test
    void revokeRemovesEveryKeyEvenWhileTheKeepAliveRuns() throws Exception {
        FileStore s = new FileStore(dir);
        for (int round = 0; round < 40; round++) {
            Store.Lease l = s.grant(Duration.ofMillis(300));
            for (int k = 0; k < 3; k++) {
                s.put("/overlaynet/r/" + round + "/" + k, "v", l);
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(0, 120));
            l.revoke();
            assertEquals(List.of(), s.list("/overlaynet/r/" + round + "/").entries(),
                    "round " + round + ": keys left after revoke");
        }
        try (Stream<Path> leases = Files.list(dir.resolve(".leases"))) {
            assertEquals(List.of(), leases.filter(p -> !p.getFileName().toString().startsWith(".")).toList(),
                    "revoked leases leave no files");
        }
    }

    @Test
    void endpointsAreMirroredInTheWalkthroughLayoutAndItsRecordsAreReadable() throws IOException {
        FileStore s = new FileStore(dir);
        s.put(Keys.endpoint("demo", "12.12.12.2"), "{\"mac\":\"02:42:0c:0c:0c:02\",\"host\":\"node1\",\"vtep\":\"192.168.104.2\"}");
        assertEquals("02:42:0c:0c:0c:02", Files.readString(dir.resolve("arp/12.12.12.2")));
        assertEquals("192.168.104.2", Files.readString(dir.resolve("fdb/02:42:0c:0c:0c:02")));
        s.delete(Keys.endpoint("demo", "12.12.12.2"));
        assertTrue(Files.notExists(dir.resolve("arp/12.12.12.2")));

        // What the walkthroughs' container script writes: echo MAC > arp/IP; echo HOST > fdb/MAC
        Files.createDirectories(dir.resolve("arp"));
        Files.createDirectories(dir.resolve("fdb"));
        Files.writeString(dir.resolve("arp/12.12.12.9"), "02:42:0c:0c:0c:09\n");
        Files.writeString(dir.resolve("fdb/02:42:0c:0c:0c:09"), "192.168.104.9\n");
        assertEquals(new Store.ScriptRecord("02:42:0c:0c:0c:09", "192.168.104.9"), s.scriptRecord("12.12.12.9").orElseThrow());
        assertEquals(Optional.of("192.168.104.9"), s.scriptVtep("02:42:0c:0c:0c:09"));
    }
}
