package io.overlaynet.agent;

import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reactive mode, after answering a miss for an endpoint of another host: its traffic will come back,
 * and that host would miss on our endpoints in turn. Ask it, once per host and network, to program our
 * endpoints of the network right away: a hint key under our lease.
 */
final class Hints {
    private final String me;
    private final Store store;
    private final Registration registration;
    private final Log log;
    /** Hints we sent, so each goes once (until it leaves the store). */
    private final Set<Keys.Hint> sent = ConcurrentHashMap.newKeySet();

    Hints(String me, Store store, Registration registration, Log log) {
        this.me = me;
        this.store = store;
        this.registration = registration;
        this.log = log;
    }

    /** Asks {@code remoteHost} to program our endpoints of {@code network}; off the caller's thread. */
    void ask(String remoteHost, String network) {
        Keys.Hint hint = new Keys.Hint(remoteHost, me, network);
        if (!sent.add(hint)) {
            return;
        }
        Thread.ofPlatform().daemon(true).name("agent-hint").start(() -> {
            try {
                registration.withLease(l -> {
                    store.put(hint.key(), "{}", l);
                    return null;
                });
            } catch (RuntimeException e) {
                sent.remove(hint);
                log.once("hint", "could not ask " + remoteHost + " to program our endpoints: " + e.getMessage());
            }
        });
    }

    /** A hint of ours that left the store may be sent again on the next miss. */
    void onEvent(Store.Event e) {
        if (e instanceof Store.Event.Deleted d) {
            Keys.parseHint(d.key()).ifPresent(sent::remove);
        } else if (e instanceof Store.Event.Reset) {
            sent.clear();
        }
    }
}
