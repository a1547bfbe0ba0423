package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.EndpointInfo;
import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.agent.StoreRecords.NetworkSpec;
import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Underlay;
import io.overlaynet.ipam.Ipam;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The per-host agent. Design history: the seeds' daemon answered kernel misses from files; flannel
 * programs every node ahead of time from etcd. This agent does both (reactive or proactive) over the
 * same store, and owns one loop that turns store events into kernel writes:
 *
 * <ol>
 *   <li>register the host (VTEP, a MAC stable across restarts) under a lease, resumed after a restart;</li>
 *   <li>watch {@code /overlaynet/}; every event updates the in-memory view (bad records are logged once
 *       and skipped), then the touched endpoints are programmed in one batch;</li>
 *   <li>reconcile against kernel dumps at start, after every watch reset, and periodically.</li>
 * </ol>
 * Local endpoints come through the local API: the agent ensures the network's overlay namespace,
 * claims the address in the store (IPAM) and plugs the container in.
 */
public final class Agent implements AutoCloseable {
    final AgentConfig cfg;
    final Log log = new Log("agent");
    final Metrics metrics = new Metrics();
    final Store store;
    final Host host;
    final Underlay underlay;
    final ReentrantLock dataplane = new ReentrantLock();
    private final Programmer programmer = new Programmer(metrics);
    private final Map<String, NetworkSpec> networks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, HostInfo> hosts = new java.util.concurrent.ConcurrentHashMap<>();
    /** endpoint key -> validated record, for every endpoint in the store (local ones included). */
    private final Map<String, Remote> endpoints = new java.util.concurrent.ConcurrentHashMap<>();
    /** A store event and when it arrived from the watch (for the watch-lag metric). */
    private record Arrived(Store.Event event, long nanos) {
    }

    private final BlockingQueue<Arrived> events = new LinkedBlockingQueue<>();
    private final MissHandler misses;
    private volatile Store.Lease lease;
    private volatile boolean stopping;
    private Store.Watch watch;
    private Thread worker;
    private LocalApi api;
    private String hostMac;

    public Agent(AgentConfig cfg) {
        this.cfg = cfg;
        this.store = Stores.open(cfg.storeUrl());
        try {
            this.host = Host.open(cfg.prefix(), cfg.stateDir(), cfg.hostNs());
            this.underlay = Underlay.detect(host.rtnl(), cfg.underlay());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.misses = new MissHandler(this);
    }

    public Mode mode() {
        return cfg.reactive() ? new Mode.Reactive() : new Mode.Static();
    }

    public void start() {
        log.info("host " + cfg.hostName() + " vtep " + underlay.address().getHostAddress() + " (" + underlay.device()
                + "), " + (cfg.reactive() ? "reactive" : "proactive") + ", store " + store.describe());
        hostMac = stableMac(cfg.hostName());
        registerWithRetry();
        watch = store.watch(Keys.ROOT, 0, e -> events.add(new Arrived(e, System.nanoTime())));
        worker = Thread.ofPlatform().name("agent-worker").start(this::loop);
        metrics.serve(cfg.metricsPort());
        api = new LocalApi(this, cfg.apiSocket());
        api.start();
        if (cfg.reactive()) {
            dataplane.lock();
            try {
                new Networks(host).list().forEach(misses::listen);
            } finally {
                dataplane.unlock();
            }
        }
        Thread.ofPlatform().daemon(true).name("agent-liveness").start(this::liveness);
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

    // ---- registration -------------------------------------------------------------------------

    private void registerWithRetry() {
        long backoff = 200;
        while (!stopping) {
            try {
                register();
                if (log.forget("store-down")) {
                    log.info("store " + store.describe() + " reachable again");
                }
                return;
            } catch (RuntimeException e) {
                log.once("store-down", "store " + store.describe() + " unreachable (" + e.getMessage()
                        + "); the data plane keeps working, retrying with backoff");
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    /** Host record and every local endpoint, under our lease (resumed when the previous one is alive). */
    private synchronized void register() {
        long t0 = System.nanoTime();
        try {
            registerOnce();
        } finally {
            metrics.observe("store_latency_seconds", (System.nanoTime() - t0) / 1e9);
        }
    }

    private void registerOnce() {
        AgentState st = AgentState.load(host);
        Optional<Store.Lease> resumed = st.leaseId() == 0 ? Optional.empty() : store.resume(st.leaseId(), cfg.leaseTtl());
        lease = resumed.orElseGet(() -> store.grant(cfg.leaseTtl()));
        if (resumed.isPresent()) {
            log.info("resumed lease " + Long.toHexString(lease.id()) + ": registrations survived the restart");
        }
        new AgentState(lease.id(), hostMac).save(host);
        store.put(Keys.host(cfg.hostName()), StoreRecords.json(new HostInfo(cfg.hostName(),
                underlay.address().getHostAddress(), hostMac)), lease);
        for (EndpointRecord e : new Endpoints(host).list(Optional.empty())) {
            publish(e);
        }
    }

    /** Writes a local endpoint's store record under our lease; refuses to overwrite another host's claim. */
    void publish(EndpointRecord e) {
        String key = Keys.endpoint(e.network(), e.ip());
        String value = StoreRecords.json(new EndpointInfo(e.name(), e.mac(), cfg.hostName(), underlay.address().getHostAddress()));
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
        store.put(key, value, lease);
    }



    /**
     * Runs a store write under our lease; if the store says the lease is gone (it expired while the
     * store was unreachable), registers again under a new one and retries once.
     */
    <T> T withLease(java.util.function.Function<Store.Lease, T> write) {
        long t0 = System.nanoTime();
        try {
            T result = write.apply(lease);
            metrics.observe("store_latency_seconds", (System.nanoTime() - t0) / 1e9);
            return result;
        } catch (io.overlaynet.store.StoreException e) {
            if (!String.valueOf(e.getMessage()).contains("lease not found")) {
                throw e;
            }
            log.info("our lease expired in the store; registering again");
            lease.close();
            new AgentState(0, hostMac).save(host);
            register();
            return write.apply(lease);
        }
    }

    /** Re-registers when the host record vanished (lease expired during a store outage). */
    private void liveness() {
        while (!stopping) {
            sleep(Math.max(500, cfg.leaseTtl().toMillis() / 2));
            if (stopping) {
                return;
            }
            try {
                if (store.get(Keys.host(cfg.hostName())).isEmpty()) {
                    log.info("host record missing from the store (lease expired?); registering again");
                    lease.close();
                    new AgentState(0, hostMac).save(host);
                    registerWithRetry();
                } else if (log.forget("store-down")) {
                    log.info("store " + store.describe() + " reachable again");
                }
            } catch (RuntimeException e) {
                log.once("store-down", "store " + store.describe() + " unreachable (" + e.getMessage()
                        + "); the data plane keeps working, retrying with backoff");
            }
        }
    }

    // ---- the loop -----------------------------------------------------------------------------

    private void loop() {
        long nextReconcile = System.currentTimeMillis() + cfg.reconcileEvery().toMillis();
        while (!stopping) {
            try {
                Arrived first = events.poll(Math.max(1, nextReconcile - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                boolean reconcile = System.currentTimeMillis() >= nextReconcile;
                Set<String> touched = new HashSet<>();
                if (first != null) {
                    List<Arrived> batch = new ArrayList<>(List.of(first));
                    events.drainTo(batch);
                    long t0 = System.nanoTime();
                    // How long the oldest event of the burst waited before being applied.
                    metrics.observe("watch_lag_seconds", (t0 - first.nanos()) / 1e9);
                    for (Arrived a : batch) {
                        reconcile |= apply(a.event(), touched);
                    }
                    metrics.inc("watch_events_total", batch.size());
                    metrics.observe("apply_seconds", (System.nanoTime() - t0) / 1e9);
                }
                if (reconcile) {
                    reconcileAll();
                    nextReconcile = System.currentTimeMillis() + cfg.reconcileEvery().toMillis();
                } else if (!touched.isEmpty() && !cfg.reactive()) {
                    programTouched(touched);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.once("loop:" + e.getMessage(), "programming failed: " + e.getMessage() + "; will reconcile");
                nextReconcile = System.currentTimeMillis() + 1000;
            }
        }
    }

    /** Applies one event to the in-memory view; returns true when a full reconcile is due. */
    private boolean apply(Store.Event e, Set<String> touched) {
        switch (e) {
            case Store.Event.Reset r -> {
                networks.clear();
                hosts.clear();
                endpoints.clear();
                r.snapshot().entries().forEach(en -> put(en.key(), en.value(), touched));
                return true;
            }
            case Store.Event.Put p -> put(p.entry().key(), p.entry().value(), touched);
            case Store.Event.Deleted d -> {
                String k = d.key();
                if (k.startsWith(Keys.NETWORKS)) {
                    networks.remove(Keys.leaf(k));
                } else if (k.startsWith(Keys.HOSTS)) {
                    hosts.remove(Keys.leaf(k));
                    endpoints.forEach((ek, r) -> {
                        if (r.host().equals(Keys.leaf(k))) {
                            touched.add(ek);
                        }
                    });
                } else if (k.startsWith(Keys.ENDPOINTS) && endpoints.remove(k) != null) {
                    touched.add(k);
                }
            }
        }
        return false;
    }

    private void put(String key, String value, Set<String> touched) {
        try {
            if (key.startsWith(Keys.NETWORKS)) {
                networks.put(Keys.leaf(key), StoreRecords.parse(value, NetworkSpec.class));
            } else if (key.startsWith(Keys.HOSTS)) {
                HostInfo h = StoreRecords.parse(value, HostInfo.class);
                Ip.parseV4(h.vtep());
                hosts.put(Keys.leaf(key), h);
            } else if (key.startsWith(Keys.ENDPOINTS)) {
                String network = Keys.endpointNetwork(key);
                Remote r = StoreRecords.remote(network, Keys.leaf(key), value, Optional.ofNullable(networks.get(network)));
                endpoints.put(key, r);
                touched.add(key);
            }
            log.forget("bad:" + key);
        } catch (IllegalArgumentException | IllegalStateException bad) {
            metrics.inc("bad_records_total");
            log.once("bad:" + key, "skipping store record " + key + ": " + bad.getMessage());
            if (endpoints.remove(key) != null) {
                touched.add(key);
            }
        }
    }

    /** The remote endpoints this host should have programmed for one network. */
    List<Remote> desired(String network) {
        List<Remote> out = new ArrayList<>();
        for (Remote r : endpoints.values()) {
            if (r.network().equals(network) && !r.host().equals(cfg.hostName()) && hosts.containsKey(r.host())) {
                out.add(r);
            }
        }
        return out;
    }

    Optional<Remote> byIp(String network, InetAddress ip) {
        Remote r = endpoints.get(Keys.endpoint(network, ip.getHostAddress()));
        return Optional.ofNullable(r).filter(x -> !x.host().equals(cfg.hostName()));
    }

    Optional<Remote> byMac(String network, MacAddress mac) {
        return endpoints.values().stream().filter(r -> r.network().equals(network) && r.mac().equals(mac)
                && !r.host().equals(cfg.hostName())).findFirst();
    }

    private void programTouched(Set<String> touched) {
        dataplane.lock();
        try {
            Map<String, List<Remote>> add = new HashMap<>();
            Set<String> nets = new HashSet<>();
            for (String k : touched) {
                nets.add(Keys.endpointNetwork(k));
            }
            for (NetworkRecord n : new Networks(host).list()) {
                if (!nets.contains(n.name())) {
                    continue;
                }
                // Deletions and changes need the kernel's view; a reconcile of just this network is cheap enough.
                boolean onlyAdds = touched.stream().allMatch(k -> !k.startsWith(Keys.endpoints(n.name()))
                        || endpoints.containsKey(k));
                Overlay o = host.overlay(n);
                if (onlyAdds) {
                    for (String k : touched) {
                        Remote r = endpoints.get(k);
                        if (r != null && r.network().equals(n.name()) && !r.host().equals(cfg.hostName())
                                && hosts.containsKey(r.host())) {
                            add.computeIfAbsent(n.name(), x -> new ArrayList<>()).add(r);
                        }
                    }
                    programmer.install(o, add.getOrDefault(n.name(), List.of()));
                } else {
                    programmer.reconcile(o, desired(n.name()), true);
                }
            }
            metrics.gauge("remote_endpoints", endpoints.size());
        } finally {
            dataplane.unlock();
        }
    }

    void reconcileAll() {
        dataplane.lock();
        try {
            for (NetworkRecord n : new Networks(host).list()) {
                reconcile(n);
            }
            metrics.gauge("remote_endpoints", endpoints.size());
            ensureNeighbourLimits(endpoints.size());
        } finally {
            dataplane.unlock();
        }
    }

    /**
     * The neighbour table's limits (gc_thresh1..3) are global, kept in the initial namespace, and the
     * hard limit defaults to 1024 entries across all namespaces. Raises them when the endpoint count
     * needs it, where they can be written; elsewhere says once why not (permanent entries, which are
     * all the agent writes, are exempt from garbage collection on current kernels).
     */
    private void ensureNeighbourLimits(int entries) {
        int want = Math.max(1024, Integer.highestOneBit(Math.max(1, entries * 2)) * 2);
        try {
            int have = Integer.parseInt(host.rtnl().sysctl().get("net.ipv4.neigh.default.gc_thresh3"));
            if (have < want) {
                host.rtnl().sysctl().neighbourTableLimits(want / 4, want / 2, want);
                log.info("raised neighbour table limits to gc_thresh3=" + want + " for " + entries + " endpoints");
            }
        } catch (RuntimeException cannot) {
            if (entries * 2 > 1024) {
                log.once("gc_thresh", "cannot raise the neighbour table limits from this namespace ("
                        + cannot.getMessage() + "); they live in the initial namespace");
            }
        }
    }

    void reconcile(NetworkRecord n) {
        long t0 = System.nanoTime();
        int diffs = programmer.reconcile(host.overlay(n), desired(n.name()), !cfg.reactive());
        if (diffs > 0) {
            log.info(String.format("reconciled network %s: %d difference(s) fixed in %.1f ms", n.name(), diffs,
                    (System.nanoTime() - t0) / 1e6));
        }
    }

    void installNow(String network, List<Remote> remotes) {
        NetworkRecord n = new Networks(host).get(network);
        programmer.install(host.overlay(n), remotes);
    }

    void installFdbNow(String network, MacAddress mac, InetAddress vtep) {
        NetworkRecord n = new Networks(host).get(network);
        Overlay o = host.overlay(n);
        o.rtnl().fdb().replace(io.overlaynet.netlink.rtnl.FdbEntry.toVtep(o.vxlanIndex(), mac, vtep));
        metrics.inc("entries_programmed_total");
    }

    // ---- local endpoints (the API) ------------------------------------------------------------

    public EndpointRecord addEndpoint(String network, String name, Optional<InetAddress> ip, Optional<MacAddress> mac,
                                      Optional<java.nio.file.Path> netns) {
        NetworkSpec spec = Optional.ofNullable(networks.get(network)).or(() -> store.get(Keys.network(network))
                .map(e -> StoreRecords.parse(e.value(), NetworkSpec.class))).orElseThrow(() -> new IllegalArgumentException(
                "network " + network + " is not in the store " + store.describe()
                        + ": create it with 'overlaynet network create " + network + " --store ...'"));
        Endpoints.checkName(name);
        dataplane.lock();
        try {
            Endpoints eps = new Endpoints(host);
            Optional<EndpointRecord> existing = eps.find(network, name);
            if (existing.isPresent()) {
                return existing.get();
            }
            Networks nets = new Networks(host);
            boolean madeNetwork = nets.find(network).isEmpty();
            NetworkRecord rec = nets.create(spec.config(mode()), cfg.underlay().or(() -> Optional.of(underlay.device()))).record();
            if (madeNetwork) {
                reconcile(rec);
                if (cfg.reactive()) {
                    misses.listen(rec);
                }
            }
            Ipam ipam = new Ipam(store);
            InetAddress addr = withLease(l -> ipam.allocate(network, spec.config(mode()).subnet(), Ip.parse(spec.gateway()),
                    ip, a -> StoreRecords.json(new EndpointInfo(name, mac.orElse(Endpoints.macFor(a)).toString(),
                            cfg.hostName(), underlay.address().getHostAddress())), Optional.of(l)));
            try {
                return eps.add(new Endpoints.Request(network, name, addr, mac, netns)).record();
            } catch (RuntimeException e) {
                ipam.release(network, addr);
                if (madeNetwork) {
                    misses.stop(network);
                    nets.remove(network);
                }
                throw e;
            }
        } finally {
            dataplane.unlock();
        }
    }

    public boolean removeEndpoint(String network, String name) {
        dataplane.lock();
        try {
            Endpoints eps = new Endpoints(host);
            Optional<EndpointRecord> e = eps.find(network, name);
            if (e.isEmpty()) {
                return false;
            }
            eps.remove(network, name);
            try {
                store.delete(Keys.endpoint(network, e.get().ip()));
            } catch (RuntimeException down) {
                log.once("store-down", "store " + store.describe() + " unreachable: " + down.getMessage());
            }
            if (eps.list(Optional.of(network)).isEmpty()) {
                misses.stop(network);
                new Networks(host).remove(network);
                log.info("last endpoint of " + network + " left: removed its overlay namespace");
            }
            return true;
        } finally {
            dataplane.unlock();
        }
    }

    public Map<String, Object> status() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("host", cfg.hostName());
        m.put("vtep", underlay.address().getHostAddress());
        m.put("mac", hostMac);
        m.put("mode", cfg.reactive() ? "reactive" : "proactive");
        m.put("store", store.describe());
        m.put("lease", lease == null ? "" : Long.toHexString(lease.id()));
        m.put("networks", new Networks(host).list().stream().map(NetworkRecord::name).toList());
        m.put("endpointsInStore", endpoints.size());
        m.put("hostsInStore", hosts.keySet());
        m.put("entriesProgrammed", metrics.counter("entries_programmed_total"));
        m.put("missesAnswered", metrics.counter("misses_answered_total_l3") + metrics.counter("misses_answered_total_l2"));
        return m;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Clean stop: deregister (revoke the lease: host and endpoint records go), stop threads. */
    public void stop(boolean deregister) {
        stopping = true;
        if (api != null) {
            api.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (worker != null) {
            worker.interrupt();
        }
        misses.close();
        if (lease != null) {
            try {
                if (deregister) {
                    lease.revoke();
                    new AgentState(0, hostMac).save(host);
                } else {
                    lease.close();
                }
            } catch (RuntimeException e) {
                log.info("could not deregister: " + e.getMessage());
            }
        }
        metrics.close();
    }

    @Override
    public void close() {
        stop(true);
        host.close();
        store.close();
    }
}
