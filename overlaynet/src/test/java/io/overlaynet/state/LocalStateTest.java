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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state directory's records: cached reads that notice every write, and records written aside. */
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
    void aRecordWrittenAsideIsInvisibleUntilCommittedAndGoneWhenDiscarded() throws IOException {
        LocalState st = new LocalState(dir);
        LocalState.Pending kept = st.prepare("eps/x.json", new Rec("x", 1));
        assertFalse(st.exists("eps/x.json"));
        assertTrue(st.list("eps", Rec.class).isEmpty(), "readers skip the temporary file");
        kept.commit();
        assertEquals(List.of(new Rec("x", 1)), st.list("eps", Rec.class));

        st.prepare("eps/y.json", new Rec("y", 2)).discard();
        try (Stream<Path> files = Files.list(dir.resolve("eps"))) {
            assertEquals(List.of("x.json"), files.map(f -> f.getFileName().toString()).toList());
        }
    }
}
