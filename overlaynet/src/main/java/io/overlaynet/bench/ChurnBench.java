package io.overlaynet.bench;

import io.overlaynet.agent.AgentClient;
import io.overlaynet.agent.StoreRecords;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.EventSubscription;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.RtEvent;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code overlaynet bench churn}: endpoints move between hosts through the agents' API (removed on one
 * host, added with the same IP on another), every other move with a new MAC (an IP reused by another
 * container). Each move is timed from the add until every other host's kernel places the IP at the
 * new host and holds nothing for the old MAC; then a container on a third host pings the moved IP.
 * After the run every host's entries are compared with the store: any that points at an old location
 * is stale. Kernel changes are seen through netlink notifications, not polling.
 */
public final class ChurnBench {
    private final int hosts;
    private final int moves;
    private final String store;
    private final PrintStream out;

    public ChurnBench(int hosts, int moves, String store, PrintStream out) {
        this.hosts = hosts;
        this.moves = moves;
        this.store = store;
        this.out = out;
    }

    /** One host's overlay entries on vxlan1 as notifications report them, and when each key last changed. */
    private static final class Mirror {
        final Map<InetAddress, MacAddress> arp = new HashMap<>();
        final Map<MacAddress, Set<InetAddress>> fdb = new HashMap<>();
        final Map<Object, Long> changed = new HashMap<>();

        synchronized void on(RtEvent e) {
            long now = System.nanoTime();
            if (e instanceof RtEvent.NeighbourChange c && c.neighbour().isPermanent() && c.neighbour().mac().isPresent()) {
                Neighbour n = c.neighbour();
                if (c.added()) {
                    arp.put(n.ip(), n.mac().get());
                } else {
                    arp.remove(n.ip());
                }
                changed.put(n.ip(), now);
            } else if (e instanceof RtEvent.FdbChange c && c.entry().isSelf() && c.entry().dst().isPresent()
                    && !c.entry().mac().isZero()) {
                FdbEntry f = c.entry();
                if (c.added()) {
                    fdb.computeIfAbsent(f.mac(), m -> new HashSet<>()).add(f.dst().get());
                } else if (fdb.containsKey(f.mac())) {
                    fdb.get(f.mac()).remove(f.dst().get());
                    if (fdb.get(f.mac()).isEmpty()) {
                        fdb.remove(f.mac());
                    }
                }
                changed.put(f.mac(), now);
            }
        }

        /** When the IP came to be at {@code vtep} with {@code mac}, and {@code old} left: null while not yet. */
        synchronized Long placed(InetAddress ip, MacAddress mac, InetAddress vtep, MacAddress old) {
            boolean ok = mac.equals(arp.get(ip)) && Set.of(vtep).equals(fdb.get(mac)) && (old.equals(mac) || !fdb.containsKey(old));
            if (!ok) {
                return null;
            }
            long t = Math.max(changed.getOrDefault(ip, 0L), changed.getOrDefault(mac, 0L));
            return Math.max(t, changed.getOrDefault(old, 0L));
        }
    }

    private record Mover(String name, InetAddress ip, MacAddress[] mac, int[] host) {
    }

    public Figures run() {
        out.printf("overlaynet bench churn: %d hosts with agents, %s store, %d moves (every other one with a new MAC)%n",
                hosts, store, moves);
        List<Double> sameMac = new ArrayList<>();
        List<Double> newMac = new ArrayList<>();
        int pinged = 0;
        long stale;
        try (AgentLab l = new AgentLab("ch", hosts, false, store, out)) {
            List<Mirror> mirrors = new ArrayList<>();
            List<EventSubscription> subs = new ArrayList<>();
            try {
                for (int h = 0; h < hosts; h++) {
                    Mirror m = new Mirror();
                    mirrors.add(m);
                    subs.add(subscribe(l.host(h), m));
                }
                List<Mover> movers = new ArrayList<>();
                for (int h = 0; h < hosts; h++) {
                    InetAddress ip = Ip.parse("12.12.12." + (100 + h));
                    Mover m = new Mover("mv" + h, ip, new MacAddress[]{Endpoints.macFor(ip)}, new int[]{h});
                    client(l, h).addEndpoint("demo", m.name(), Optional.of(ip.getHostAddress()), Optional.empty(),
                            Optional.empty());
                    movers.add(m);
                }
                for (int j = 0; j < moves; j++) {
                    Mover m = movers.get(j % movers.size());
                    int from = m.host()[0];
                    int to = (from + 1 + j % (hosts - 1)) % hosts;
                    MacAddress old = m.mac()[0];
                    MacAddress mac = j % 2 == 0 ? old : new MacAddress(0x0243_0000_0000L | (long) (j + 1) << 8 | 0x0a);
                    client(l, from).removeEndpoint("demo", m.name());
                    long t0 = System.nanoTime();
                    client(l, to).addEndpoint("demo", m.name(), Optional.of(m.ip().getHostAddress()),
                            Optional.of(mac.toString()), Optional.empty());
                    double ms = awaitPlaced(l, mirrors, to, m.ip(), mac, old, t0);
                    (mac.equals(old) ? sameMac : newMac).add(ms);
                    m.host()[0] = to;
                    m.mac()[0] = mac;
                    int third = (to + 1) % hosts == from && hosts > 2 ? (to + 2) % hosts : (to + 1) % hosts;
                    if (LabPing.ping(l.host(third).containers().getFirst().namespace(), m.ip().getHostAddress()).isPresent()) {
                        pinged++;
                    }
                }
                Thread.sleep(200);
                stale = staleEntries(l);
            } catch (IOException e) {
                throw new IllegalStateException("the agents' API failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                subs.forEach(EventSubscription::close);
            }
        }
        List<Double> all = new ArrayList<>(sameMac);
        all.addAll(newMac);
        out.println();
        out.printf("%-40s %7s %8s %8s %8s %8s%n", "move -> every other host's kernel (ms)", "moves", "median", "p90", "p99", "max");
        row("same MAC (a container moved)", sameMac);
        row("new MAC (IP reused elsewhere)", newMac);
        row("all", all);
        out.printf("%nping from a third host after each move: %d/%d answered%n", pinged, moves);
        out.printf("entries anywhere not matching the store after the run: %d%n%n", stale);
        return new Figures(out).add("churn_p99_ms", Stats.percentile(all, 99), "%.1f")
                .add("churn_stale_entries", stale, "%.0f");
    }

    private void row(String name, List<Double> ms) {
        if (ms.isEmpty()) {
            return;
        }
        out.printf("%-40s %7d %8.1f %8.1f %8.1f %8.1f%n", name, ms.size(), Stats.median(ms), Stats.percentile(ms, 90),
                Stats.percentile(ms, 99), Stats.percentile(ms, 100));
    }

    private static AgentClient client(AgentLab l, int h) {
        return l.lab.agent(l.host(h));
    }

    private static EventSubscription subscribe(LabHost h, Mirror m) {
        try (NetNs ns = NetNs.named(h.overlayNamespace()); Rtnl rt = Rtnl.open(ns)) {
            int vx = rt.links().index("vxlan1");
            EventSubscription sub = rt.subscribe(EventSubscription.Group.NEIGH);
            sub.start("churn-" + h.name(), e -> {
                if ((e instanceof RtEvent.NeighbourChange c && c.neighbour().index() == vx)
                        || (e instanceof RtEvent.FdbChange f && f.entry().index() == vx)) {
                    m.on(e);
                }
            });
            return sub;
        }
    }

    /** Milliseconds from {@code t0} until every host but {@code to} places the IP there (10 s at most). */
    private static double awaitPlaced(AgentLab l, List<Mirror> mirrors, int to, InetAddress ip, MacAddress mac,
                                      MacAddress old, long t0) throws InterruptedException {
        InetAddress vtep = Ip.parse(l.host(to).address());
        long deadline = t0 + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long latest = t0;
            boolean done = true;
            for (int h = 0; h < mirrors.size() && done; h++) {
                if (h == to) {
                    continue;
                }
                Long t = mirrors.get(h).placed(ip, mac, vtep, old);
                done = t != null;
                if (done) {
                    latest = Math.max(latest, t);
                }
            }
            if (done) {
                return (latest - t0) / 1e6;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(ip.getHostAddress() + " did not reach its new host in every kernel within 10 s");
    }

    /** Entries on any host's vxlan1 that the store does not back: an IP, MAC or VTEP of an old location. */
    private static long staleEntries(AgentLab l) {
        Map<InetAddress, MacAddress> macOf = new HashMap<>();
        Map<MacAddress, String> hostOf = new HashMap<>();
        Map<InetAddress, String> ipHost = new HashMap<>();
        Map<String, InetAddress> vtepOf = new HashMap<>();
        l.store((Store s) -> {
            for (Store.Entry e : s.list(Keys.endpoints("demo")).entries()) {
                StoreRecords.EndpointInfo i = StoreRecords.parse(e.value(), StoreRecords.EndpointInfo.class);
                macOf.put(Ip.parse(Keys.leaf(e.key())), MacAddress.parse(i.mac()));
                hostOf.put(MacAddress.parse(i.mac()), i.host());
                ipHost.put(Ip.parse(Keys.leaf(e.key())), i.host());
            }
            return null;
        });
        l.rec.hosts().forEach(h -> vtepOf.put(h.name(), Ip.parse(h.address())));
        long stale = 0;
        for (LabHost h : l.rec.hosts()) {
            try (NetNs ns = NetNs.named(h.overlayNamespace()); Rtnl rt = Rtnl.open(ns)) {
                int vx = rt.links().index("vxlan1");
                for (Neighbour n : rt.neighbours().list(vx)) {
                    if (n.isPermanent() && n.mac().isPresent() && (!n.mac().get().equals(macOf.get(n.ip()))
                            || h.name().equals(ipHost.get(n.ip())))) {
                        stale++;
                    }
                }
                for (FdbEntry f : rt.fdb().list(vx)) {
                    if (f.isSelf() && f.isPermanent() && f.dst().isPresent() && !f.mac().isZero()) {
                        String owner = hostOf.get(f.mac());
                        if (owner == null || owner.equals(h.name()) || !f.dst().get().equals(vtepOf.get(owner))) {
                            stale++;
                        }
                    }
                }
            }
        }
        return stale;
    }
}
