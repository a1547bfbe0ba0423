package io.overlaynet.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The shared store every host's agent reads and writes: string keys (the layout is in {@link Keys}),
 * JSON string values. Two implementations behave the same under one contract test suite: files on a
 * local directory ({@link FileStore}, the default) and etcd ({@link EtcdStore}).
 */
public interface Store extends AutoCloseable {

    /** One key's value and the store revision at which it was last written. */
    record Entry(String key, String value, long revision) {
    }

    /** Everything under a prefix, and the store revision the listing reflects. */
    record Snapshot(List<Entry> entries, long revision) {
    }

    /** What a watch delivers, in order. */
    sealed interface Event {
        /** A key was created or changed. */
        record Put(Entry entry) implements Event {
        }

        /** A key was deleted (or its lease expired). */
        record Deleted(String key, long revision) implements Event {
        }

        /**
         * The watch could not continue from where it was (a compacted revision, a restart, a gap): here is
         * the whole state under the prefix; replace what you had.
         */
        record Reset(Snapshot snapshot) implements Event {
        }
    }

    /** A liveness lease: keys written under it vanish when it expires or is revoked. */
    interface Lease extends AutoCloseable {
        long id();

        /** Revokes the lease now: its keys are deleted. */
        void revoke();

        /** Stops keeping it alive without revoking (it expires after its TTL). */
        @Override
        void close();
    }

    /** A running watch; close to stop. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    Optional<Entry> get(String key);

    Snapshot list(String prefix);

    /** Writes unconditionally. */
    void put(String key, String value);

    /** Writes many keys; the store may group them into fewer round trips (etcd: transactions). */
    default void putAll(java.util.Map<String, String> entries) {
        entries.forEach(this::put);
    }

    /** Writes, attached to a lease. */
    void put(String key, String value, Lease lease);

    /** Writes only if the key does not exist; returns whether it did. Atomic across hosts. */
    boolean create(String key, String value, Optional<Lease> lease);

    /** Deletes; returns whether the key existed. */
    boolean delete(String key);

    /** Grants a lease that the store keeps alive until closed or revoked. */
    Lease grant(Duration ttl);

    /**
     * Re-attaches to a lease granted earlier (e.g. by this agent before a restart) if it is still alive,
     * and keeps it alive.
     */
    Optional<Lease> resume(long leaseId, Duration ttl);

    /**
     * Watches a prefix from just after {@code afterRevision} (0: from now, starting with a {@link Event.Reset}).
     * Events arrive on one thread, in order.
     */
    Watch watch(String prefix, long afterRevision, Consumer<Event> listener);

    /** How long a lease has left, or empty when it is gone (expired, revoked, never granted). */
    Optional<Duration> leaseLeft(long leaseId);

    /**
     * The MAC and VTEP of an IP in the layout the VXLAN walkthroughs' shell scripts write
     * ({@code arp/<ip>} = MAC, {@code fdb/<mac>} = host IP), for stores that keep it; others have none.
     */
    default Optional<ScriptRecord> scriptRecord(String ip) {
        return Optional.empty();
    }

    /** The VTEP of a MAC in the walkthroughs' layout ({@code fdb/<mac>}), for stores that keep it. */
    default Optional<String> scriptVtep(String mac) {
        return Optional.empty();
    }

    /** An IP's record in the walkthroughs' layout: its MAC and its host's underlay address, as written. */
    record ScriptRecord(String mac, String vtep) {
    }

    /** A short description for logs and errors, e.g. {@code etcd://127.0.0.1:2379}. */
    String describe();

    @Override
    void close();
}
