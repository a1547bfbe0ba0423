package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.AllowList;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.WireGuard;
import io.overlaynet.dataplane.Peers;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Records.PeerRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.store.Store;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The agent's one loop: store events update the {@link StoreView}; then the desired state and the
 * kernel's dumps go through {@link Plan#of} and an {@link Applier} carries the plan out (calico
 * felix's shape: record now, apply later). New endpoints take a short path that skips the dump (they
 * cannot be in the kernel yet); a change or a delete diffs its network; a watch reset, and a timer,
 * diff every network the agent runs. Only networks in an agent's mode (proactive, reactive) are
 * touched: networks wired by hand on the same host are not the agent's.
 */
final class Reconciler {
    private final Host host;
    private final StoreView view;
    private final Applier applier;
    private final ReentrantLock dataplane;
    private final boolean reactive;
    private final Metrics metrics;
    private final Log log;
    private final Consumer<Store.Event> alsoTell;
    private final boolean allowList;
    private final long expelAfterMillis;
    /** What the allow-list's hosts set holds, as last read or written; null: read it again. */
    private Set<Inet4Address> admitted;
    /** Admitted VTEPs whose host is gone from the store, and since when (milliseconds). */
    private final Map<Inet4Address, Long> absentSince = new HashMap<>();
    /** With encryption: the tunnel whose peers follow the live hosts, and which is made again if it goes. */
    private WireGuard tunnel;
    private long tunnelCheckedAt;

    /** A store event and when it arrived from the watch (for the watch-lag metric). */
    private record Arrived(Store.Event event, long nanos) {
    }

    private final BlockingQueue<Arrived> events = new LinkedBlockingQueue<>();
    /** A change in the number of endpoints after which the heap is worth collecting. */
    private static final int LARGE = 5000;
    private int collectedAt;
    private long lastEvent;

    /**
     * @param alsoTell  told of every event before it is applied (the hint sender forgets its hints there)
     * @param dataplane the lock every kernel write of the agent holds
     */
    Reconciler(Host host, StoreView view, Applier applier, ReentrantLock dataplane, boolean reactive, Metrics metrics,
               Log log, Consumer<Store.Event> alsoTell, boolean allowList, long expelAfterMillis) {
        this.host = host;
        this.allowList = allowList;
        this.expelAfterMillis = expelAfterMillis;
        this.view = view;
        this.applier = applier;
        this.dataplane = dataplane;
        this.reactive = reactive;
        this.metrics = metrics;
        this.log = log;
        this.alsoTell = alsoTell;
    }

    void encryptWith(WireGuard t) {
        this.tunnel = t;
    }

    /** The watch's listener: queues the event for the loop. */
    void offer(Store.Event e) {
        events.add(new Arrived(e, System.nanoTime()));
    }

    /** Runs until interrupted; a full reconcile every {@code every} milliseconds, and after a watch reset. */
    void loop(long every) {
        long next = System.currentTimeMillis() + every;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                long wake = absentSince.values().stream().mapToLong(t -> t + expelAfterMillis).min().orElse(next);
                if (Math.abs(view.endpointCount() - collectedAt) >= LARGE) {
                    // Many records came or went: once the store has been quiet for a second, one full
                    // collection hands back the heap their text grew (with -XX:-ShrinkHeapInSteps).
                    if (System.currentTimeMillis() - lastEvent >= 1000) {
                        System.gc();
                        collectedAt = view.endpointCount();
                    } else {
                        wake = Math.min(wake, lastEvent + 1000);
                    }
                }
                if (tunnel != null) {
                    // The tunnel is checked once a second, not on every burst of events.
                    if (System.currentTimeMillis() - tunnelCheckedAt >= 1000) {
                        checkTunnel();
                        tunnelCheckedAt = System.currentTimeMillis();
                    }
                    wake = Math.min(wake, tunnelCheckedAt + 1000);
                }
                Arrived first = events.poll(Math.max(1, Math.min(next, wake) - System.currentTimeMillis()),
                        TimeUnit.MILLISECONDS);
                StoreView.Touched touched = new StoreView.Touched();
                if (first != null) {
                    lastEvent = System.currentTimeMillis();
                    List<Arrived> burst = new ArrayList<>(List.of(first));
                    events.drainTo(burst);
                    long t0 = System.nanoTime();
                    // How long the oldest event of the burst waited before being applied.
                    metrics.observe("watch_lag_seconds", (t0 - first.nanos()) / 1e9);
                    for (Arrived a : burst) {
                        alsoTell.accept(a.event());
                        view.apply(a.event(), touched);
                    }
                    metrics.inc("watch_events_total", burst.size());
                    metrics.observe("apply_seconds", (System.nanoTime() - t0) / 1e9);
                }
                if (touched.everything || System.currentTimeMillis() >= next) {
                    reconcileAll();
                    next = System.currentTimeMillis() + every;
                } else if (!touched.isEmpty()) {
                    programTouched(touched);
                } else if (!absentSince.isEmpty()) {
                    dataplane.lock();
                    try {
                        expelDeparted();
                    } finally {
                        dataplane.unlock();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.once("loop:" + e.getMessage(), "programming failed: " + e.getMessage() + "; will reconcile");
                next = System.currentTimeMillis() + 1000;
            }
        }
    }

    /** The networks on this host that an agent runs. */
    private List<NetworkRecord> managed() {
        return new Networks(host).list().stream().filter(n -> Mode.parse(n.mode()).runByAgent()).toList();
    }

    private void programTouched(StoreView.Touched touched) {
        dataplane.lock();
        try {
            if (touched.members) {
                admitMembers();
            }
            List<NetworkRecord> diff = new ArrayList<>();
            List<Step> adds = new ArrayList<>();
            for (NetworkRecord n : managed()) {
                if (touched.changedNetworks.contains(n.name()) || view.network(n.name()).isEmpty()) {
                    diff.add(n);
                } else if (!touched.added.isEmpty()) {
                    List<Remote> add = view.added(n.name(), touched.added);
                    adds.addAll(installing(n.name(), reactive ? add.stream().filter(view::isHinted).toList() : add));
                    add.stream().filter(view::cameBackChanged)
                            .forEach(r -> adds.add(new Step.ForgetInContainers(n.name(), r.ip())));
                }
            }
            if (!adds.isEmpty()) {
                applier.apply(new Plan(adds));
            }
            if (!diff.isEmpty()) {
                apply(diff);
            }
            if (touched.members || !absentSince.isEmpty()) {
                expelDeparted();
            }
            metrics.gauge("remote_endpoints", view.endpointCount());
        } finally {
            dataplane.unlock();
        }
    }

    /** Steps that put remotes in (FDB, then ARP), for endpoints known not to be in the kernel yet. */
    static List<Step> installing(String network, List<Remote> remotes) {
        List<Step> out = new ArrayList<>(remotes.size() * 2);
        remotes.forEach(r -> out.add(new Step.PutFdb(network, r.mac(), r.vtep())));
        remotes.forEach(r -> out.add(new Step.PutArp(network, r.ip(), r.mac())));
        return out;
    }

    /** Diffs every network the agent runs here against the store, and applies the plan. */
    void reconcileAll() {
        dataplane.lock();
        try {
            admitted = null; // read the set again: someone may have changed it by hand
            admitMembers();
            apply(managed());
            expelDeparted();
            metrics.gauge("remote_endpoints", view.endpointCount());
            ensureNeighbourLimits(view.endpointCount());
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

    /** Diffs one network (e.g. just made for its first endpoint) and applies the plan. */
    void reconcile(NetworkRecord n) {
        dataplane.lock();
        try {
            admitted = null; // a new network may have brought the allow-list's table
            admitMembers();
            apply(List.of(n));
        } finally {
            dataplane.unlock();
        }
    }

    private void apply(List<NetworkRecord> networks) {
        if (!view.loaded() || networks.isEmpty()) {
            return; // nothing is known of the store yet: planning now would remove everything
        }
        long t0 = System.nanoTime();
        Map<String, Observed.Network> seen = new HashMap<>();
        networks.forEach(n -> seen.put(n.name(), observe(n)));
        Plan plan = Plan.of(view.desired(reactive), new Observed(seen));
        metrics.inc("reconciles_total");
        if (plan.isEmpty()) {
            return;
        }
        int done = applier.apply(plan);
        metrics.inc("reconcile_differences_total", plan.size());
        log.info(String.format("reconciled %s: %d difference(s) fixed in %.1f ms",
                networks.size() == 1 ? "network " + networks.getFirst().name() : networks.size() + " networks", done,
                (System.nanoTime() - t0) / 1e6));
    }

    /**
     * Admits the live hosts' VTEPs missing from the allow-list: before any entry points at them. Nothing
     * before the store's first listing (the set is left as the last run left it, never emptied).
     */
    private void admitMembers() {
        if (tunnel != null && view.loaded()) {
            tunnel.setPeers(view.tunnelPeers()); // before any entry points at a peer's tunnel address
        }
        if (!allowList || !view.loaded()) {
            return;
        }
        if (admitted == null) {
            admitted = new HashSet<>(AllowList.members(host, AllowList.HOSTS));
        }
        Set<Inet4Address> add = new HashSet<>(view.memberVteps());
        add.removeAll(admitted);
        if (add.isEmpty()) {
            return;
        }
        if (AllowList.admit(host, AllowList.HOSTS, add)) {
            admitted.addAll(add);
            log.info("VTEP allow-list: admitted " + names(add));
        } else {
            admitted = null; // no guarded network here yet
        }
    }

    /**
     * Expels the VTEPs of hosts that left: after their entries are gone, and only once a host has been
     * absent from the store for the longer of a lease TTL and the reconcile period. After a store outage
     * every lease may have expired at once, and each host registers again as soon as its client is back
     * (gRPC's reconnect backoff: about 10 s after a one-minute outage here): a live host is not
     * expelled for that.
     */
    private void expelDeparted() {
        if (!allowList || !view.loaded() || admitted == null) {
            return;
        }
        Set<Inet4Address> members = view.memberVteps();
        absentSince.keySet().removeIf(members::contains);
        long now = System.currentTimeMillis();
        Set<Inet4Address> gone = new HashSet<>();
        for (Inet4Address v : admitted) {
            if (!members.contains(v) && now - absentSince.computeIfAbsent(v, x -> now) >= expelAfterMillis) {
                gone.add(v);
            }
        }
        if (!gone.isEmpty()) {
            gone.forEach(absentSince::remove);
            AllowList.expel(host, AllowList.HOSTS, gone);
            admitted.removeAll(gone);
            log.info("VTEP allow-list: expelled " + names(gone));
        }
    }

    /** Makes the WireGuard device again when it went (deleted by hand, wireguard-go killed). */
    private void checkTunnel() {
        dataplane.lock();
        try {
            if (tunnel.ensure()) {
                log.info("WireGuard device " + tunnel.device() + " was gone: made it again with its peers");
                metrics.inc("tunnel_restores_total");
            }
        } catch (RuntimeException e) {
            log.once("tunnel:" + e.getMessage(), "cannot make the WireGuard device again: " + e.getMessage()
                    + "; nothing leaves in the clear meanwhile (VXLAN has no route but the tunnel)");
        } finally {
            dataplane.unlock();
        }
    }

    private static String names(Set<Inet4Address> vteps) {
        return vteps.stream().map(InetAddress::getHostAddress).sorted().collect(Collectors.joining(", "));
    }

    /** The kernel's entries of one network, and the peers wired there by hand (which the plan leaves). */
    private Observed.Network observe(NetworkRecord n) {
        Overlay o = host.overlay(n);
        int vx = o.vxlanIndex();
        Set<InetAddress> ips = new HashSet<>();
        Set<MacAddress> macs = new HashSet<>();
        for (PeerRecord p : new Peers(host).list(java.util.Optional.of(n.name()))) {
            p.ip().ifPresent(ip -> ips.add(Ip.parse(ip)));
            p.mac().ifPresent(mac -> macs.add(MacAddress.parse(mac)));
        }
        return new Observed.Network(o.rtnl().neighbours().list(vx), o.rtnl().fdb().list(vx), ips, macs);
    }
}
