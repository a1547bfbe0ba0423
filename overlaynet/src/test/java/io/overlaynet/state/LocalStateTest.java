package io.overlaynet.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The state directory's records: cached reads that notice every write. */
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
}
