package io.overlaynet.agent;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One-line log to stderr, with "say it once" for conditions that repeat (bad records, an unreachable store). */
public final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private final String who;
    private final Set<String> said = ConcurrentHashMap.newKeySet();

    public Log(String who) {
        this.who = who;
    }

    public void info(String message) {
        System.err.println(LocalTime.now().format(TIME) + " " + who + ": " + message);
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
