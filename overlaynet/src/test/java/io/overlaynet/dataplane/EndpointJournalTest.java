package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.state.LocalState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-network endpoint journal: claims, readiness, release, other writers, crashes, rewrites. */
class EndpointJournalTest {
    @TempDir
    Path root;

    private static EndpointRecord rec(String name, String ip) {
        return new EndpointRecord("n", name, ip, "02:42:00:00:00:01", "ns-" + name, true, "ve-" + name, "eth0");
    }

    private Path file() {
        return root.resolve("endpoints/n").resolve(EndpointJournal.FILE);
    }

    @Test
    void claimsHoldNameAndIpUntilReleasedAndOnlyReadyOnesAreListed() {
        EndpointJournal j = new EndpointJournal(root, "n");
        assertEquals(Optional.empty(), j.claim(rec("a", "10.0.0.2")));
        assertEquals(Optional.empty(), j.claim(rec("b", "10.0.0.3")));
        assertEquals("a", j.claim(rec("c", "10.0.0.2")).orElseThrow().record().name(), "the IP is a's");
        assertEquals("10.0.0.3", j.claim(rec("b", "10.0.0.9")).orElseThrow().record().ip(), "the name is b's");
        assertEquals(List.of(), j.ready(), "nothing works yet");
        j.ready("a");
        assertEquals(List.of(rec("a", "10.0.0.2")), j.ready());
        assertEquals(List.of(rec("a", "10.0.0.2")), new EndpointJournal(root, "n").ready(), "a second reader agrees");
        assertEquals("b", j.byIp("10.0.0.3").orElseThrow().record().name());
        assertFalse(j.byName("b").orElseThrow().ready());

        assertTrue(j.release("b"));
        assertFalse(j.release("b"), "releasing twice says it was not there");
        assertEquals(Optional.empty(), j.claim(rec("c", "10.0.0.3")), "b's IP is free again");
        assertTrue(j.release("c"));
        assertTrue(j.release("a"));
        assertFalse(Files.exists(file()), "no endpoints, no journal");
        assertEquals(List.of(), j.ready());
    }

    @Test
    void concurrentClaimsOfTheSameAddressesAreEachWonOnce() throws Exception {
        int threads = 6;
        int addresses = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    List<String> won = new ArrayList<>();
                    EndpointJournal j = new EndpointJournal(root, "n");
                    for (int i = 0; i < addresses; i++) {
                        if (j.claim(rec("t" + id + "-" + i, "10.0.1." + i)).isEmpty()) {
                            won.add("10.0.1." + i);
                        }
                    }
                    return won;
                }));
            }
            Map<String, Integer> winners = new HashMap<>();
            for (Future<List<String>> f : results) {
                f.get(60, TimeUnit.SECONDS).forEach(ip -> winners.merge(ip, 1, Integer::sum));
            }
            assertEquals(addresses, winners.size(), "every address was won");
            assertTrue(winners.values().stream().allMatch(n -> n == 1), "and none twice: " + winners);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Another JVM stands for another overlaynet command: it takes the file lock, then appends a claim
     * while this one waits for the lock.
     */
    @Test
    void anotherProcessesLockIsWaitedForAndItsLinesAreRead() throws Exception {
        EndpointJournal j = new EndpointJournal(root, "n");
        assertEquals(Optional.empty(), j.claim(rec("a", "10.0.0.2")));
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OtherProcess.class.getName(), file().getParent().toString(), "700").redirectErrorStream(true).start();
        try {
            String said = new BufferedReader(new InputStreamReader(other.getInputStream())).readLine();
            assertEquals("locked", said, "the other process took the lock");
            long t0 = System.nanoTime();
            Optional<EndpointJournal.Entry> held = j.claim(rec("b", "10.0.0.7"));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, other.waitFor());
            assertTrue(waitedMs >= 300, "the claim waited for the other process's lock (" + waitedMs + " ms)");
            assertEquals("other", held.orElseThrow().record().name(), "and saw what it wrote under the lock");
        } finally {
            other.destroyForcibly();
        }
    }

    /** The other process: locks .lock, says so, appends a claim for 10.0.0.7 after a while, unlocks. */
    public static final class OtherProcess {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            try (FileChannel lock = FileChannel.open(dir.resolve(EndpointJournal.LOCK), StandardOpenOption.WRITE);
                 FileLock ignored = lock.lock()) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(Long.parseLong(args[1]));
                String line = EndpointJournal.encode(new EndpointJournal.Line("claim", rec("other", "10.0.0.7"), null));
                Files.writeString(dir.resolve(EndpointJournal.FILE), line + "\n", StandardOpenOption.APPEND);
            }
        }
    }

    @Test
    void handWrittenLinesReadBackAsJacksonWouldWriteThem() throws Exception {
        EndpointRecord odd = new EndpointRecord("n", "q\"uote", "10.0.0.4", "02:42:0a:00:00:04",
                "/run/netns/with \\ back\tslash", false, "vex", "eth0");
        for (EndpointJournal.Line line : List.of(new EndpointJournal.Line("claim", odd, null),
                new EndpointJournal.Line("ready", null, "q\"uote"), new EndpointJournal.Line("gone", null, "x"))) {
            String text = EndpointJournal.encode(line);
            assertFalse(text.contains("\n"), text);
            assertEquals(line, LocalState.JSON.readValue(text, EndpointJournal.Line.class));
            assertEquals(LocalState.JSON.valueToTree(line), LocalState.JSON.readTree(text), "the fields Jackson writes");
        }
    }

    /** An interrupted thread closes the channels it used (Java's rule); the next call opens them again. */
    @Test
    void anInterruptedCallerDoesNotBreakTheJournalForOthers() {
        EndpointJournal j = new EndpointJournal(root, "n");
        assertEquals(Optional.empty(), j.claim(rec("a", "10.0.0.2")));
        Thread.currentThread().interrupt();
        try {
            assertThrows(UncheckedIOException.class, () -> j.claim(rec("b", "10.0.0.3")));
        } finally {
            Thread.interrupted();
        }
        assertTrue(j.byName("b").isEmpty(), "the interrupted claim wrote nothing");
        assertEquals(Optional.empty(), j.claim(rec("b", "10.0.0.3")));
        assertTrue(j.byName("a").isPresent() && j.byName("b").isPresent());
    }

    @Test
    void aLineCutShortByACrashIsIgnoredAndCutOffByTheNextWrite() throws Exception {
        EndpointJournal j = new EndpointJournal(root, "n");
        assertEquals(Optional.empty(), j.claim(rec("a", "10.0.0.2")));
        Files.writeString(file(), "{\"op\":\"claim\",\"rec\":{\"network\":\"n\",\"na", StandardOpenOption.APPEND);
        assertEquals(Optional.empty(), new EndpointJournal(root, "n").byName("na"), "a fresh reader ignores it too");
        assertEquals(Optional.empty(), j.claim(rec("b", "10.0.0.3")));
        j.ready("b");
        List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        assertEquals(3, lines.size(), "claim a, claim b, ready b: " + lines);
        assertTrue(lines.stream().allMatch(l -> l.startsWith("{") && l.endsWith("}")), lines.toString());
        assertEquals(List.of(rec("b", "10.0.0.3")), new EndpointJournal(root, "n").ready());
    }

    @Test
    void mostlyHistoryIsRewrittenAndAReplacedFileIsReadAfresh() throws Exception {
        EndpointJournal j = new EndpointJournal(root, "n");
        j.claim(rec("keep", "10.0.2.1"));
        j.ready("keep");
        for (int i = 0; i < 60; i++) {
            j.claim(rec("tmp" + i, "10.0.3." + i));
            j.release("tmp" + i);
        }
        long lines = Files.readAllLines(file()).size();
        assertTrue(lines < 70, "the history was dropped: " + lines + " lines");
        assertEquals(List.of(rec("keep", "10.0.2.1")), j.ready());

        // Another process removes the endpoints and the network comes back: a new file under the name.
        Path theirs = file().resolveSibling("theirs");
        Files.writeString(theirs, EndpointJournal.encode(new EndpointJournal.Line("claim", rec("x", "10.0.5.1"), null))
                + "\n" + EndpointJournal.encode(new EndpointJournal.Line("ready", null, "x")) + "\n");
        Files.move(theirs, file(), StandardCopyOption.REPLACE_EXISTING);
        assertEquals(List.of("x"), j.ready().stream().map(EndpointRecord::name).toList());
        assertTrue(j.byName("keep").isEmpty());
    }
}
