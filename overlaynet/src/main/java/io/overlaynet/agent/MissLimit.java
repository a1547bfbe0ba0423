package io.overlaynet.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What bounds the agent's work under a flood of misses (a member asking for 10,000 destinations a
 * second, say): answers from the agent's own view cost a map lookup and stay unlimited, but a miss the
 * view cannot answer falls back to a store read. Those reads get a token bucket ({@code perSecond},
 * bursting to as many), and a key that found nothing is not looked up again for {@code quietMillis}.
 */
final class MissLimit {
    private static final int REMEMBERED = 10_000;
    private final double perSecond;
    private final long quietNanos;
    private double tokens;
    private long refilled;
    private final Map<String, Long> unknown = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    MissLimit(double perSecond, long quietMillis) {
        this.perSecond = perSecond;
        this.quietNanos = quietMillis * 1_000_000L;
        this.tokens = perSecond;
        this.refilled = System.nanoTime();
    }

    /** Whether a store lookup for {@code key} may go ahead now; false when limited or recently fruitless. */
    synchronized boolean mayLookUp(String key) {
        long now = System.nanoTime();
        Long quietUntil = unknown.get(key);
        if (quietUntil != null && now < quietUntil) {
            return false;
        }
        tokens = Math.min(perSecond, tokens + (now - refilled) / 1e9 * perSecond);
        refilled = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** The lookup for {@code key} found nothing: leave it alone for a while. */
    synchronized void foundNothing(String key) {
        unknown.put(key, System.nanoTime() + quietNanos);
    }
}
