package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.EndpointInfo;
import io.overlaynet.agent.StoreRecords.NetworkSpec;
import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Underlay;
import io.overlaynet.ipam.Ipam;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The per-host agent. Design history: the seeds' daemon answered kernel misses from files; flannel
 * programs every node ahead of time from etcd. This agent does both (reactive or proactive) over the
 * same store, and owns one loop that turns store events into kernel writes:
 *
 * <ol>
 *   <li>register the host under a lease ({@link Registration});</li>
 *   <li>watch {@code /overlaynet/}; events update the validated view ({@link StoreView}) in bursts,
 *       then the touched endpoints are programmed in one batch ({@link Programmer});</li>
 *   <li>reconcile against kernel dumps at start, after every watch reset, and periodically.</li>
 * </ol>
 * Local endpoints come through the local API: the agent ensures the network's overlay namespace,
 * claims the address in the store (IPAM) and plugs the container in. One lock ({@link #dataplane})
 * serialises every kernel write the agent makes.
 */
public final class Agent implements AutoCloseable {
    final AgentConfig cfg;
    final Log log;
    final Metrics metrics = new Metrics();
    final Store store;
    final Host host;
    final Underlay underlay;
    final ReentrantLock dataplane = new ReentrantLock();
    private final Programmer programmer = new Programmer(metrics);
    private final StoreView view;
    private final Registration registration;
    private final MissHandler misses;

    /** A store event and when it arrived from the watch (for the watch-lag metric). */
    private record Arrived(Store.Event event, long nanos) {
    }

    private final BlockingQueue<Arrived> events = new LinkedBlockingQueue<>();
    /** Hints we sent: hosts we asked to program our endpoints of a network ({@link #hintReverse}). */
    private final Set<Keys.Hint> hintsSent = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private Store.Watch watch;
    private Thread worker;
    private LocalApi api;

    public Agent(AgentConfig cfg) {
        this.cfg = cfg;
        this.log = new Log("agent", cfg.jsonLog());
        this.store = Stores.open(cfg.storeUrl());
        try {
            this.host = Host.open(cfg.prefix(), cfg.stateDir(), cfg.hostNs());
            this.underlay = Underlay.detect(host.rtnl(), cfg.underlay());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.view = new StoreView(cfg.hostName(), log, metrics);
        this.registration = new Registration(store, host, cfg, underlay.address().getHostAddress(), log, metrics);
        this.misses = new MissHandler(this);
    }

    public Mode mode() {
        return cfg.reactive() ? new Mode.Reactive() : new Mode.Static();
    }

    public void start() {
        log.info("host " + cfg.hostName() + " vtep " + underlay.address().getHostAddress() + " (" + underlay.device()
                + "), " + (cfg.reactive() ? "reactive" : "proactive") + ", store " + store.describe());
        registration.registerWithRetry();
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
        Thread.ofPlatform().daemon(true).name("agent-liveness").start(registration::liveness);
        log.info("ready: API " + cfg.apiSocket() + (cfg.metricsPort() > 0 ? ", metrics 127.0.0.1:" + cfg.metricsPort() : ""));
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
                    List<Arrived> burst = new ArrayList<>(List.of(first));
                    events.drainTo(burst);
                    long t0 = System.nanoTime();
                    // How long the oldest event of the burst waited before being applied.
                    metrics.observe("watch_lag_seconds", (t0 - first.nanos()) / 1e9);
                    for (Arrived a : burst) {
                        reconcile |= view.apply(a.event(), touched);
                        forgetHintIfDeleted(a.event());
                    }
                    metrics.inc("watch_events_total", burst.size());
                    metrics.observe("apply_seconds", (System.nanoTime() - t0) / 1e9);
                }
                if (reconcile) {
                    reconcileAll();
                    nextReconcile = System.currentTimeMillis() + cfg.reconcileEvery().toMillis();
                } else if (!touched.isEmpty()) {
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

    /** Additions go straight in as one batch; a deletion or change reconciles that network against the kernel. */
    private void programTouched(Set<String> touched) {
        dataplane.lock();
        try {
            Set<String> nets = new HashSet<>();
            touched.forEach(k -> nets.add(Keys.endpointNetwork(k)));
            for (NetworkRecord n : new Networks(host).list()) {
                if (!nets.contains(n.name())) {
                    continue;
                }
                Overlay o = host.overlay(n);
                Optional<List<Remote>> adds = view.onlyAdditions(n.name(), touched);
                if (cfg.reactive()) {
                    // Reactive: only what another host asked for ahead of its traffic (see MissHandler).
                    programmer.install(o, adds.orElse(List.of()).stream().filter(view::isHinted).toList());
                } else if (adds.isPresent()) {
                    programmer.install(o, adds.get());
                } else {
                    programmer.reconcile(o, view.desired(n.name()), true);
                }
            }
            metrics.gauge("remote_endpoints", view.endpointCount());
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
            metrics.gauge("remote_endpoints", view.endpointCount());
            ensureNeighbourLimits(view.endpointCount());
        } finally {
            dataplane.unlock();
        }
    }

    void reconcile(NetworkRecord n) {
        long t0 = System.nanoTime();
        int diffs = programmer.reconcile(host.overlay(n), view.desired(n.name()), !cfg.reactive());
        if (diffs > 0) {
            log.info(String.format("reconciled network %s: %d difference(s) fixed in %.1f ms", n.name(), diffs,
                    (System.nanoTime() - t0) / 1e6));
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

    // ---- for the miss handler -----------------------------------------------------------------

    Optional<Remote> byIp(String network, InetAddress ip) {
        return view.byIp(network, ip);
    }

    Optional<Remote> byMac(String network, MacAddress mac) {
        return view.byMac(network, mac);
    }

    Optional<String> hostByVtep(InetAddress vtep) {
        return view.hostByVtep(vtep);
    }

    /** Installs remotes now (a miss answered), under the data plane lock. */
    void installNow(String network, List<Remote> remotes) {
        dataplane.lock();
        try {
            programmer.install(host.overlay(new Networks(host).get(network)), remotes);
        } finally {
            dataplane.unlock();
        }
    }

    /**
     * Reactive mode, after answering a miss for an endpoint of {@code remoteHost}: its traffic will come
     * back, and that host would miss on our endpoints in turn. Ask it, once per host and network, to
     * program our endpoints of the network right away (a hint key under our lease).
     */
    void hintReverse(String remoteHost, String network) {
        Keys.Hint hint = new Keys.Hint(remoteHost, cfg.hostName(), network);
        if (!hintsSent.add(hint)) {
            return;
        }
        Thread.ofPlatform().daemon(true).name("agent-hint").start(() -> {
            try {
                registration.withLease(l -> {
                    store.put(hint.key(), "{}", l);
                    return null;
                });
            } catch (RuntimeException e) {
                hintsSent.remove(hint);
                log.once("hint", "could not ask " + remoteHost + " to program our endpoints: " + e.getMessage());
            }
        });
    }

    /** A hint of ours that left the store may be sent again on the next miss. */
    private void forgetHintIfDeleted(Store.Event e) {
        if (e instanceof Store.Event.Deleted d) {
            Keys.parseHint(d.key()).ifPresent(hintsSent::remove);
        } else if (e instanceof Store.Event.Reset) {
            hintsSent.clear();
        }
    }

    /** Installs one FDB entry now (an L2 miss answered), under the data plane lock. */
    void installFdbNow(String network, MacAddress mac, InetAddress vtep) {
        dataplane.lock();
        try {
            Overlay o = host.overlay(new Networks(host).get(network));
            o.rtnl().fdb().replace(FdbEntry.toVtep(o.vxlanIndex(), mac, vtep));
        } finally {
            dataplane.unlock();
        }
        metrics.inc("entries_programmed_total");
    }

    // ---- local endpoints (the API) ------------------------------------------------------------

    public EndpointRecord addEndpoint(String network, String name, Optional<InetAddress> ip, Optional<MacAddress> mac,
                                      Optional<Path> netns) {
        NetworkSpec spec = view.network(network).or(() -> store.get(Keys.network(network))
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
            NetworkConfig config = spec.config(mode());
            NetworkRecord rec = nets.create(config, underlay).record();
            if (madeNetwork) {
                reconcile(rec);
                if (cfg.reactive()) {
                    misses.listen(rec);
                }
            }
            Ipam ipam = new Ipam(store);
            InetAddress addr = registration.withLease(l -> ipam.allocate(network, config.subnet(),
                    Ip.parse(spec.gateway()), ip, a -> StoreRecords.json(new EndpointInfo(name,
                            mac.orElse(Endpoints.macFor(a)).toString(), cfg.hostName(), underlay.address().getHostAddress())),
                    Optional.of(l)));
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", cfg.hostName());
        m.put("vtep", underlay.address().getHostAddress());
        m.put("mac", registration.mac());
        m.put("mode", cfg.reactive() ? "reactive" : "proactive");
        m.put("store", store.describe());
        m.put("lease", registration.leaseId());
        m.put("networks", new Networks(host).list().stream().map(NetworkRecord::name).toList());
        m.put("endpointsInStore", view.endpointCount());
        m.put("hostsInStore", view.hostNames());
        m.put("entriesProgrammed", metrics.counter("entries_programmed_total"));
        m.put("missesAnswered", metrics.counter("misses_answered_total_l3") + metrics.counter("misses_answered_total_l2"));
        return m;
    }

    /** Stops threads; with {@code deregister} the lease is revoked (host and endpoint records leave the store). */
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
        registration.stop(deregister);
        metrics.close();
    }

    @Override
    public void close() {
        stop(true);
        host.close();
        store.close();
    }
}
