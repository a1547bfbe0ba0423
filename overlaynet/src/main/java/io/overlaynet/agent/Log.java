package io.overlaynet.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.overlaynet.state.LocalState;

import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-line log to stderr, with "say it once" for conditions that repeat (bad records, an unreachable
 * store). As text ({@code 12:00:01.234 agent: message}) or, for log collectors, one JSON object per line
 * ({@code {"time":"2026-11-21T12:00:01.234Z","who":"agent","msg":"message"}}, time in UTC).
 */
public final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    /** The project's mapper, less its indentation: a log line is one line. */
    private static final ObjectWriter JSON = LocalState.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);
    private final String who;
    private final boolean json;
    private final Set<String> said = ConcurrentHashMap.newKeySet();

    public Log(String who, boolean json) {
        this.who = who;
        this.json = json;
    }

    public void info(String message) {
        System.err.println(json ? asJson(message) : LocalTime.now().format(TIME) + " " + who + ": " + message);
    }

    private String asJson(String message) {
        Map<String, String> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("who", who);
        line.put("msg", message);
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    /** Logs only the first time this key is seen (until {@link #forget}). */
    public void once(String key, String message) {
        if (said.add(key)) {
            info(message);
        }
    }

    /** Allows {@code key} to be logged again, e.g. when a condition clears. Returns whether it was set. */
    public boolean forget(String key) {
        return said.remove(key);
    }
}
