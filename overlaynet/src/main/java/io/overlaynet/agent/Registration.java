package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.EndpointInfo;
import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.WireGuard;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.StoreException;
import io.overlaynet.state.LocalState;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The host's presence in the store: a lease (resumed after a restart when still alive, so a killed and
 * restarted agent never drops its records), the host record and the local endpoints under it, a
 * liveness check that registers again when the lease died during a store outage, and deregistration.
 */
final class Registration {
    private final Store store;
    private final LocalState state;
    private final Supplier<List<EndpointRecord>> localEndpoints;
    private final AgentConfig cfg;
    private final String vtep;
    /** With encryption: this host's WireGuard public key, its epoch, and where it listens. */
    private volatile WireGuard.Keys wgKeys;
    private volatile String wgEndpoint;
    private final String mac;
    private final Log log;
    private final Metrics metrics;
    private volatile Store.Lease lease;
    private volatile boolean stopping;

    /**
     * @param state          where the lease id is kept across restarts
     * @param localEndpoints this host's endpoints, published under the lease
     */
    Registration(Store store, LocalState state, Supplier<List<EndpointRecord>> localEndpoints, AgentConfig cfg,
                 String vtep, Log log, Metrics metrics) {
        this.store = store;
        this.state = state;
        this.localEndpoints = localEndpoints;
        this.cfg = cfg;
        this.vtep = vtep;
        this.mac = stableMac(cfg.hostName());
        this.log = log;
        this.metrics = metrics;
    }

    /** Registers with this WireGuard key and endpoint (the private key is not written anywhere here). */
    void encrypting(WireGuard.Keys keys, String endpoint) {
        this.wgKeys = keys;
        this.wgEndpoint = endpoint;
    }

    /** A locally administered unicast MAC derived from the host name: the same after every restart. */
    static String stableMac(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            long bits = 0x0200_0000_0000L;
            for (int i = 1; i < 6; i++) {
                bits |= (long) (h[i] & 0xff) << (8 * (5 - i));
            }
            return new MacAddress(bits).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The agent's build version, as {@code overlaynet --version} prints it. */
    static String version() {
        try (var in = Registration.class.getResourceAsStream("/overlaynet-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    String mac() {
        return mac;
    }

    String leaseId() {
        Store.Lease l = lease;
        return l == null ? "" : Long.toHexString(l.id());
    }

    /** Registers, retrying with backoff while the store is unreachable (said once in the log). */
    void registerWithRetry() {
        long backoff = 200;
        while (!stopping) {
            try {
                register();
                if (log.forget("store-down")) {
                    log.info("store " + store.describe() + " reachable again");
                }
                return;
            } catch (RuntimeException e) {
                unreachable(e);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    private void unreachable(RuntimeException e) {
        log.once("store-down", "store " + store.describe() + " unreachable (" + e.getMessage()
                + "); the data plane keeps working, retrying with backoff");
    }

    /** Host record and every local endpoint, under our lease (resumed when the previous one is alive). */
    private synchronized void register() {
        long t0 = System.nanoTime();
        try {
            AgentState st = AgentState.load(state);
            Optional<Store.Lease> resumed = st.leaseId() == 0 ? Optional.empty() : store.resume(st.leaseId(), cfg.leaseTtl());
            lease = resumed.orElseGet(() -> store.grant(cfg.leaseTtl()));
            if (resumed.isPresent()) {
                log.info("resumed lease " + leaseId() + ": registrations survived the restart");
            }
            new AgentState(lease.id(), mac).save(state);
            WireGuard.Keys wg = wgKeys;
            store.put(Keys.host(cfg.hostName()), StoreRecords.json(new HostInfo(cfg.hostName(), vtep, mac,
                    Long.toHexString(lease.id()), version(), wg == null ? null : wg.publicKey(),
                    wg == null ? null : wgEndpoint, wg == null ? null : wg.epoch())), lease);
            for (EndpointRecord e : localEndpoints.get()) {
                publish(e);
            }
        } finally {
            metrics.observe("store_latency_seconds", (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Writes a local endpoint's store record under our lease; refuses to overwrite another host's claim. */
    private void publish(EndpointRecord e) {
        String key = Keys.endpoint(e.network(), e.ip());
        Optional<Store.Entry> cur = store.get(key);
        if (cur.isPresent()) {
            try {
                EndpointInfo other = StoreRecords.parse(cur.get().value(), EndpointInfo.class);
                if (!cfg.hostName().equals(other.host())) {
                    log.once("conflict:" + key, "local endpoint " + e.name() + " has IP " + e.ip() + " but host "
                            + other.host() + " claims it in the store; not publishing it");
                    return;
                }
            } catch (IllegalArgumentException bad) {
                // a corrupt record at our own address: overwrite it
            }
        }
        store.put(key, StoreRecords.json(new EndpointInfo(e.name(), e.mac(), cfg.hostName(), vtep)), lease);
    }

    /**
     * Runs a store write under our lease; if the store says the lease is gone (it expired while the
     * store was unreachable), registers again under a new one and retries once.
     */
    <T> T withLease(Function<Store.Lease, T> write) {
        long t0 = System.nanoTime();
        try {
            T result = write.apply(lease);
            metrics.observe("store_latency_seconds", (System.nanoTime() - t0) / 1e9);
            return result;
        } catch (StoreException e) {
            if (!String.valueOf(e.getMessage()).contains("lease not found")) {
                throw e;
            }
            log.info("our lease expired in the store; registering again");
            forgetLease();
            register();
            return write.apply(lease);
        }
    }

    private void forgetLease() {
        lease.close();
        new AgentState(0, mac).save(state);
    }

    /** Runs until stopped: re-registers when the host record vanished (lease expired during an outage). */
    void liveness() {
        while (!stopping) {
            sleep(Math.max(500, cfg.leaseTtl().toMillis() / 2));
            if (stopping) {
                return;
            }
            try {
                if (store.get(Keys.host(cfg.hostName())).isEmpty()) {
                    log.info("host record missing from the store (lease expired?); registering again");
                    forgetLease();
                    registerWithRetry();
                } else if (log.forget("store-down")) {
                    log.info("store " + store.describe() + " reachable again");
                }
            } catch (RuntimeException e) {
                unreachable(e);
            }
        }
    }

    /** Stops; with {@code deregister} the lease is revoked and the host and its endpoints leave the store. */
    void stop(boolean deregister) {
        stopping = true;
        // After any register() in flight, so the lease revoked is the one last written with.
        synchronized (this) {
            if (lease == null) {
                return;
            }
            try {
                if (deregister) {
                    lease.revoke();
                    new AgentState(0, mac).save(state);
                } else {
                    lease.close();
                }
            } catch (RuntimeException e) {
                log.info("could not deregister: " + e.getMessage());
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
