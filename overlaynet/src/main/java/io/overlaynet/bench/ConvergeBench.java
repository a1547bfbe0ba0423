package io.overlaynet.bench;

import io.overlaynet.agent.StoreRecords;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.EventSubscription;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.RtEvent;
import io.overlaynet.store.Keys;

import java.io.PrintStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code overlaynet bench converge}: an endpoint registers in the store on behalf of one host; the time
 * until its ARP entry is in the kernel of every other host. Each host's overlay namespace is watched
 * with a netlink subscription, so arrival times are the kernel's notifications, not polling.
 */
public final class ConvergeBench {
    private final int hosts;
    private final String store;
    private final int endpoints;
    private final PrintStream out;

    public ConvergeBench(int hosts, String store, int endpoints, PrintStream out) {
        this.hosts = hosts;
        this.store = store;
        this.endpoints = endpoints;
        this.out = out;
    }

    public Figures run() {
        out.printf("overlaynet bench converge: %d hosts with agents, %s store, %d registrations%n", hosts, store, endpoints);
        List<Double> all = new ArrayList<>();
        try (AgentLab l = new AgentLab("cv", hosts, false, store, out)) {
            Map<String, Long>[] seen = newSeen(hosts);
            List<EventSubscription> subs = new ArrayList<>();
            try {
                for (int h = 0; h < hosts; h++) {
                    subs.add(subscribe(l.host(h), seen[h]));
                }
                for (int i = 0; i < endpoints; i++) {
                    int owner = i % hosts;
                    LabHost o = l.host(owner);
                    InetAddress ip = Ip.parse("12.12.12." + (100 + i % 150));
                    String value = StoreRecords.json(new StoreRecords.EndpointInfo("cv" + i,
                            io.overlaynet.dataplane.Endpoints.macFor(ip).toString(), o.name(), o.address()));
                    long t0 = System.nanoTime();
                    l.store(s -> {
                        s.put(Keys.endpoint("demo", ip.getHostAddress()), value);
                        return null;
                    });
                    double worst = awaitAll(seen, owner, ip.getHostAddress(), t0);
                    all.add(worst);
                    l.store(s -> s.delete(Keys.endpoint("demo", ip.getHostAddress())));
                    Thread.sleep(20);
                    for (Map<String, Long> m : seen) {
                        m.remove(ip.getHostAddress());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                subs.forEach(EventSubscription::close);
            }
        }
        out.println();
        out.printf("%-48s %10s%n", "registration -> in every other host's kernel", "ms");
        out.printf("%-48s %10.1f%n", "median", Stats.median(all));
        out.printf("%-48s %10.1f%n", "p90", Stats.percentile(all, 90));
        out.printf("%-48s %10.1f%n", "p99", Stats.percentile(all, 99));
        out.printf("%-48s %10.1f%n", "max", Stats.percentile(all, 100));
        out.println();
        return new Figures(out).add("converge_p99_ms", Stats.percentile(all, 99), "%.1f");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long>[] newSeen(int n) {
        Map<String, Long>[] m = new Map[n];
        for (int i = 0; i < n; i++) {
            m[i] = new ConcurrentHashMap<>();
        }
        return m;
    }

    private static EventSubscription subscribe(LabHost h, Map<String, Long> seen) {
        try (NetNs ns = NetNs.named(h.overlayNamespace()); Rtnl rt = Rtnl.open(ns)) {
            EventSubscription sub = rt.subscribe(EventSubscription.Group.NEIGH);
            sub.start("converge-" + h.name(), e -> {
                if (e instanceof RtEvent.NeighbourChange c && c.added() && c.neighbour().isPermanent()) {
                    seen.putIfAbsent(c.neighbour().ip().getHostAddress(), System.nanoTime());
                }
            });
            return sub;
        }
    }

    /** Milliseconds until every host but the owner saw the entry (10 s at most). */
    private static double awaitAll(Map<String, Long>[] seen, int owner, String ip, long t0) throws InterruptedException {
        long deadline = t0 + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long latest = 0;
            boolean done = true;
            for (int h = 0; h < seen.length; h++) {
                if (h == owner) {
                    continue;
                }
                Long t = seen[h].get(ip);
                if (t == null) {
                    done = false;
                    break;
                }
                latest = Math.max(latest, t);
            }
            if (done) {
                return (latest - t0) / 1e6;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("endpoint " + ip + " did not reach every host within 10 s");
    }
}
