package io.overlaynet.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract on the file store, plus the seeds' arp/fdb layout. */
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

    @Test
    void endpointsAreMirroredInTheSeedsLayoutAndSeedRecordsAreReadable() throws IOException {
        FileStore s = new FileStore(dir);
        s.put(Keys.endpoint("demo", "12.12.12.2"), "{\"mac\":\"02:42:0c:0c:0c:02\",\"host\":\"node1\",\"vtep\":\"192.168.104.2\"}");
        assertEquals("02:42:0c:0c:0c:02", Files.readString(dir.resolve("arp/12.12.12.2")));
        assertEquals("192.168.104.2", Files.readString(dir.resolve("fdb/02:42:0c:0c:0c:02")));
        s.delete(Keys.endpoint("demo", "12.12.12.2"));
        assertTrue(Files.notExists(dir.resolve("arp/12.12.12.2")));

        // What the seeds' container script writes: echo MAC > arp/IP; echo HOST > fdb/MAC
        Files.createDirectories(dir.resolve("arp"));
        Files.createDirectories(dir.resolve("fdb"));
        Files.writeString(dir.resolve("arp/12.12.12.9"), "02:42:0c:0c:0c:09\n");
        Files.writeString(dir.resolve("fdb/02:42:0c:0c:0c:09"), "192.168.104.9\n");
        assertArrayEquals(new String[]{"02:42:0c:0c:0c:09", "192.168.104.9"}, s.seedLookup("12.12.12.9").orElseThrow());
        assertEquals(Optional.of("192.168.104.9"), s.seedVtep("02:42:0c:0c:0c:09"));
    }
}
