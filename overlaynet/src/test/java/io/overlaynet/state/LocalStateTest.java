package io.overlaynet.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state directory's records: cached reads that notice every write, claims, second names. */
class LocalStateTest {
    record Rec(String name, int value) {
    }

    @TempDir
    Path dir;

    @Test
    void cachedReadIsReusedUntilTheFileIsReplaced() {
        LocalState st = new LocalState(dir);
        assertEquals(Optional.empty(), st.readCached("nets/a.json", Rec.class));
        st.write("nets/a.json", new Rec("a", 1));
        Rec first = st.readCached("nets/a.json", Rec.class).orElseThrow();
        assertSame(first, st.readCached("nets/a.json", Rec.class).orElseThrow(), "unchanged file: same object");
        // Another writer (here: another handle, as another process would) replaces the record.
        new LocalState(dir).write("nets/a.json", new Rec("a", 2));
        assertEquals(2, st.readCached("nets/a.json", Rec.class).orElseThrow().value());
        new LocalState(dir).delete("nets/a.json");
        assertEquals(Optional.empty(), st.readCached("nets/a.json", Rec.class));
    }

    @Test
    void aCreatedRecordIsAClaimAndAnAliasIsTheSameRecordUnderASecondName() throws IOException {
        LocalState st = new LocalState(dir);
        st.create("eps/by-ip/10.0.0.2", new Rec("x", 1));
        IllegalStateException taken = assertThrows(IllegalStateException.class,
                () -> st.create("eps/by-ip/10.0.0.2", new Rec("y", 2)));
        assertTrue(taken.getMessage().contains("already taken"), taken.getMessage());
        assertEquals(new Rec("x", 1), st.read("eps/by-ip/10.0.0.2", Rec.class).orElseThrow());

        assertTrue(st.list("eps", Rec.class).isEmpty(), "not listed before it has its own name");
        st.alias("eps/by-ip/10.0.0.2", "eps/x.json");
        assertEquals(List.of(new Rec("x", 1)), st.list("eps", Rec.class));
        assertEquals(Files.readAttributes(dir.resolve("eps/x.json"), "unix:ino"),
                Files.readAttributes(dir.resolve("eps/by-ip/10.0.0.2"), "unix:ino"), "one file, two names");
        assertThrows(IllegalStateException.class, () -> st.alias("eps/by-ip/10.0.0.2", "eps/x.json"));
        try (Stream<Path> files = Files.list(dir.resolve("eps"))) {
            assertEquals(List.of("by-ip", "x.json"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }
}
