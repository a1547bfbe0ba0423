package io.overlaynet.bench;

import io.overlaynet.agent.AgentClient;
import io.overlaynet.agent.StoreRecords;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.VxlanSpec;
import io.overlaynet.store.Keys;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code overlaynet bench scale}: N remote endpoints of a network are in the store; a host joins that
 * network (its first local endpoint) and its agent must program all N (ARP + FDB each). Reported: the
 * time from the join until all are in the kernel, the agent's RSS, and the same N endpoints with
 * {@code ip -batch} + {@code bridge -batch} in the same run.
 */
public final class ScaleBench {
    private static final IpPrefix SPACE = IpPrefix.parse("10.128.0.0/9");
    private static final IpPrefix GHOST_VTEPS = IpPrefix.parse("172.16.0.0/12");
    private final int endpoints;
    private final int hosts;
    private final String store;
    private final PrintStream out;

    /** {@code hosts}: how many remote hosts the endpoints are spread over (records only: no agents run there). */
    public ScaleBench(int endpoints, int hosts, String store, PrintStream out) {
        this.endpoints = endpoints;
        this.hosts = hosts;
        this.store = store;
        this.out = out;
    }

    public Figures run() {
        out.printf("overlaynet bench scale: %d remote endpoints of %d remote hosts appear in the %s store; one host's "
                + "agent programs them%n", endpoints, hosts, store);
        double agentSec;
        double rss;
        double iprSec;
        try (AgentLab l = new AgentLab("sc", 1, false, store, out)) {
            // Records first: N endpoints of a remote host in network "scale", which this host does not have yet.
            defineScaleNetwork(l);
            LabHost h = l.host(0);
            Map<String, String> records = remoteRecords();
            long w0 = System.nanoTime();
            l.store(s -> {
                s.putAll(records);
                return null;
            });
            out.printf("  wrote %d records in %.2f s%n", records.size(), (System.nanoTime() - w0) / 1e9);
            AgentClient agent = l.lab.agent(h);
            awaitCount(agent, "endpointsInStore", endpoints, Duration.ofMinutes(2), "see " + endpoints + " records");
            // The host joins the network: its first local endpoint. From here the agent must program all N.
            long before = AgentLab.unchecked(() -> agent.counters().path("entriesProgrammed").asLong());
            long t0 = System.nanoTime();
            AgentLab.unchecked(() -> agent.addEndpoint("scale", "local", Optional.of("10.128.0.2"),
                    Optional.empty(), Optional.empty()));
            awaitCount(agent, "entriesProgrammed", before + 2L * endpoints, Duration.ofMinutes(10),
                    "program " + endpoints + " endpoints");
            agentSec = (System.nanoTime() - t0) / 1e9;
            checkKernel(h);
            out.printf("  all %d programmed %.3f s after the host joined the network%n", endpoints, agentSec);
            // At rest: the agent trims its heap once the store has been quiet for a second.
            Thread.sleep(3000);
            rss = ProcessMemory.rssMb(l.rec.agentPids().getFirst());
            iprSec = iproute2(l);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        double agentRate = endpoints / agentSec;
        double iprRate = endpoints / iprSec;
        out.println();
        out.printf("%-52s %12s%n", "endpoints (ARP + FDB each)", "per second");
        out.printf("%-52s %12.0f%n", "agent: host joins the network -> all in the kernel", agentRate);
        out.printf("%-52s %12.0f%n", "iproute2: ip -batch + bridge -batch", iprRate);
        out.printf("%-52s %12.1f%n", "agent RSS at rest (3 s after programming), MiB", rss);
        out.println();
        return new Figures(out).add("scale_vs_iproute2_batch", agentRate / iprRate, "%.2f").add("agent_rss_mb", rss, "%.1f");
    }

    /**
     * The remote hosts ("ghost0"...; VTEPs in 172.16.0.0/12, records only) and the N endpoints of network
     * "scale", dealt out among them in turn.
     */
    private Map<String, String> remoteRecords() {
        Map<String, String> records = new LinkedHashMap<>();
        String[] vteps = new String[hosts];
        for (int h = 0; h < hosts; h++) {
            vteps[h] = GHOST_VTEPS.addressAt(h + 1).getHostAddress();
            records.put(Keys.host("ghost" + h), StoreRecords.json(new StoreRecords.HostInfo("ghost" + h, vteps[h],
                    new MacAddress(0x0200_0000_0000L | h).toString())));
        }
        for (int i = 0; i < endpoints; i++) {
            InetAddress ip = SPACE.addressAt(1000 + i);
            records.put(Keys.endpoint("scale", ip.getHostAddress()), StoreRecords.json(new StoreRecords.EndpointInfo(
                    "g" + i, Endpoints.macFor(ip).toString(), "ghost" + i % hosts, vteps[i % hosts])));
        }
        return records;
    }

    /**
     * Polls one of the agent's counters ({@code /v1/counters}: memory only) until it reaches {@code target},
     * rather than its whole status (which reads the allow-list's counters from the kernel and lists every
     * host) or the 10,000 kernel entries: either would steal the CPU the agent needs.
     */
    private static void awaitCount(AgentClient agent, String counter, long target, Duration limit, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (AgentLab.unchecked(() -> agent.counters().path(counter).asLong()) < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent did not " + what + " within " + limit.toMinutes() + " min");
            }
            Thread.sleep(2);
        }
    }

    /** Once, at the end: the kernel itself holds every entry the agent reported. */
    private void checkKernel(LabHost h) {
        try (NetNs ns = NetNs.named(Host.overlayNamespace(h.nsPrefix(), "scale")); Rtnl rt = Rtnl.open(ns)) {
            int vx = rt.links().index("vxlan1");
            long arp = AgentLab.permanentCount(rt, vx);
            long fdb = rt.fdb().list(vx).stream().filter(e -> e.isSelf() && e.dst().isPresent()).count();
            if (arp != endpoints || fdb != endpoints) {
                throw new IllegalStateException("the kernel holds " + arp + " ARP and " + fdb
                        + " FDB entries after the agent reported " + endpoints);
            }
        }
    }

    private void defineScaleNetwork(AgentLab l) {
        l.store(s -> {
            s.put(Keys.network("scale"), StoreRecords.json(new StoreRecords.NetworkSpec("scale", 4343,
                    SPACE.toString(), SPACE.addressAt(1).getHostAddress(), 1450, 4789, false)));
            return null;
        });
        try {
            Thread.sleep(500); // the agent's watch delivers the network definition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The same entries with iproute2's batch mode, in a fresh namespace with the same overlay layout. */
    private double iproute2(AgentLab l) {
        NetNs ns = l.scratch.namespace("ipr");
        String name = ns.name().orElseThrow();
        try (Rtnl rt = Rtnl.open(ns)) {
            rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).up(true));
            rt.links().add(LinkSpec.of("vxlan1", VxlanSpec.of(4343).port(4789).learning(false).proxy(true))
                    .master(rt.links().index("br0")).up(true));
            Path neigh = l.scratch.dir().resolve("scale-neigh");
            Path fdb = l.scratch.dir().resolve("scale-fdb");
            StringBuilder a = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < endpoints; i++) {
                InetAddress ip = SPACE.addressAt(1000 + i);
                MacAddress mac = Endpoints.macFor(ip);
                a.append("neigh replace ").append(ip.getHostAddress()).append(" lladdr ").append(mac)
                        .append(" dev vxlan1 nud permanent\n");
                b.append("fdb replace ").append(mac).append(" dev vxlan1 dst 192.168.104.99 self permanent\n");
            }
            Files.writeString(neigh, a);
            Files.writeString(fdb, b);
            long t0 = System.nanoTime();
            Commands.run("ip", "-n", name, "-batch", neigh.toString());
            Commands.run("bridge", "-n", name, "-batch", fdb.toString());
            double sec = (System.nanoTime() - t0) / 1e9;
            int vx = rt.links().index("vxlan1");
            long n = rt.neighbours().list(vx).stream().filter(Neighbour::isPermanent).count();
            long f = rt.fdb().list(vx).stream().filter(e -> e.isSelf() && e.dst().isPresent()).count();
            if (n != endpoints || f != endpoints) {
                throw new IllegalStateException("iproute2 installed " + n + " ARP and " + f + " FDB entries, expected " + endpoints);
            }
            return sec;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            l.scratch.remove(ns);
        }
    }
}
