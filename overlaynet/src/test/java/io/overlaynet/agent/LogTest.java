package io.overlaynet.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's log lines: text, or one JSON object per line that a log collector can parse back. */
class LogTest {

    @Test
    void jsonLinesCarryTimeWhoAndTheMessageIntact() throws Exception {
        String message = "record \"x\" at /overlaynet/a\\b skipped:\nnot JSON";
        List<String> lines = logged(new Log("agent", true), message, "second");
        assertEquals(2, lines.size(), "one line per message, even with a newline inside: " + lines);
        JsonNode first = new ObjectMapper().readTree(lines.getFirst());
        assertEquals("agent", first.path("who").asText());
        assertEquals(message, first.path("msg").asText());
        Duration age = Duration.between(Instant.parse(first.path("time").asText()), Instant.now());
        assertTrue(!age.isNegative() && age.toSeconds() < 60, "time is now, in UTC: " + first);
    }

    @Test
    void textLinesAndSayingOnce() {
        Log log = new Log("agent", false);
        List<String> lines = logged(log, "hello");
        assertTrue(lines.getFirst().matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} agent: hello"), lines.toString());

        ByteArrayOutputStream err = capture(() -> {
            log.once("store", "store unreachable");
            log.once("store", "store unreachable");
        });
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count());
        assertTrue(log.forget("store"));
        assertEquals(1, capture(() -> log.once("store", "store unreachable")).toString(StandardCharsets.UTF_8).lines().count());
    }

    private static List<String> logged(Log log, String... messages) {
        return capture(() -> {
            for (String m : messages) {
                log.info(m);
            }
        }).toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static synchronized ByteArrayOutputStream capture(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return err;
    }
}
