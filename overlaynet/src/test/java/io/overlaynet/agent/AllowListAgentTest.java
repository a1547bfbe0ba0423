package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.EndpointInfo;
import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.dataplane.AllowList;
import io.overlaynet.dataplane.Host;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.packet.IcmpEcho;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.overlaynet.agent.AgentFaultsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent keeps the VTEP allow-list's hosts set: a host that joins the store is admitted no later
 * than its endpoints are programmed, one that leaves is expelled after its entries and within its lease
 * TTL plus one reconcile, and neither a minute without the store nor a {@code kill -9} of the agent
 * takes a member out (no legitimate datagram is dropped meanwhile).
 */
class AllowListAgentTest {
    private static final String NEW_VTEP = "192.168.104.99";
    private static final String NEW_IP = "12.12.12.99";
    private static final String NEW_MAC = "02:42:0c:0c:0c:63";

    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void hostsAreAdmittedBeforeTheirEntriesAndExpelledAfterThem() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(3, false, "etcd");
        LabHost h1 = lab.hosts().get(0);
        Set<String> others = Set.of(lab.hosts().get(1).address(), lab.hosts().get(2).address());
        await("node1 admits the other hosts", () -> hosts(h1).equals(others), 10);
        try (NetNs underlay = NetNs.named(lab.underlayNamespace())) {
            Store store = underlay.call(() -> Stores.open(lab.store()));
            try {
                underlay.call(() -> {
                    store.putAll(Map.of(Keys.host("node9"), StoreRecords.json(new HostInfo("node9", NEW_VTEP,
                                    "02:00:00:00:00:99")),
                            Keys.endpoint("demo", NEW_IP), StoreRecords.json(new EndpointInfo("e99", NEW_MAC, "node9",
                                    NEW_VTEP))));
                    return null;
                });
                // Sampled as fast as the two reads go, the entry first: once it is there, the set read after it
                // must already hold the VTEP (nothing expels it meanwhile).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                boolean programmed = false;
                while (!programmed && System.nanoTime() < deadline) {
                    programmed = fdbTo(h1, NEW_VTEP);
                    Set<String> set = hosts(h1);
                    assertTrue(!programmed || set.contains(NEW_VTEP), "node1 points at " + NEW_VTEP + " before admitting it");
                }
                assertTrue(programmed, "node1 programs the new host's endpoint");
                assertTrue(hosts(h1).contains(NEW_VTEP));

                long gone = System.nanoTime();
                underlay.call(() -> store.delete(Keys.host("node9")));
                // The lab's lease TTL is 10 s and its agents reconcile every 30 s: a host absent that long is out.
                await("node1 expels the departed host", () -> !hosts(h1).contains(NEW_VTEP), 45);
                assertTrue(!fdbTo(h1, NEW_VTEP), "its entries went first");
                System.out.printf("departed host expelled %.1f s after its record went%n", (System.nanoTime() - gone) / 1e9);
                assertEquals(others, hosts(h1));
            } finally {
                underlay.call(() -> {
                    store.close();
                    return null;
                });
            }
        }
    }

    @Test
    void aStoreOutageAndAKilledAgentLeaveTheSetIntact() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "etcd");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        Set<String> others = Set.of(h2.address());
        await("node1 admits node2", () -> hosts(h1).equals(others), 10);
        long dropsBefore = drops(h1);
        Inet4Address to = (Inet4Address) Ip.parse(h1.containers().getFirst().ip());
        int sent = 0;
        int answered = 0;
        try (NetNs from = NetNs.named(h2.containers().getFirst().namespace())) {
            cutStore(lab, true);
            try {
                try (NetNs u = NetNs.named(lab.underlayNamespace())) {
                    assertThrows(io.overlaynet.store.StoreException.class, () -> u.call(() -> {
                        try (Store s = Stores.open(lab.store())) {
                            return s.list(Keys.ROOT);
                        }
                    }), "the store is out of reach");
                }
                long start = System.nanoTime();
                boolean killed = false;
                while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60)) {
                    if (!killed && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(20)) {
                        ProcessHandle agent1 = ProcessHandle.of(lab.agentPids().getFirst()).orElseThrow();
                        agent1.destroyForcibly();
                        agent1.onExit().get(10, TimeUnit.SECONDS);
                        killed = true;
                    }
                    sent++;
                    boolean ok = IcmpEcho.ping(from, to, Duration.ofSeconds(1)).isPresent();
                    answered += ok ? 1 : 0;
                    Thread.sleep(10);
                    if (sent % 100 == 0) {
                        assertEquals(others, hosts(h1), "the set after " + (System.nanoTime() - start) / 1_000_000 + " ms");
                    }
                }
            } finally {
                cutStore(lab, false);
            }
            Cli.expect(0, List.of("--state-dir", fixture.stateDir.toString()), "lab", "up", "--hosts", "2",
                    "--mode", "proactive", "--store", "etcd", "--prefix", fixture.prefix);
            // The leases expired during the outage: the hosts register again, and nobody is expelled for it.
            long after = System.nanoTime();
            Thread.ofPlatform().daemon(true).start(() -> {
                try (NetNs u = NetNs.named(lab.underlayNamespace())) {
                    u.call(() -> {
                        try (Store s = Stores.open(lab.store())) {
                            while (s.get(Keys.host("node2")).isEmpty() || s.get(Keys.host("node1")).isEmpty()) {
                                Thread.sleep(100);
                            }
                        }
                        System.out.printf("both hosts registered again %.1f s after the store came back%n",
                                (System.nanoTime() - after) / 1e9);
                        return null;
                    });
                } catch (RuntimeException e) {
                    System.out.println("registration watch: " + e.getMessage());
                }
            });
            while (System.nanoTime() - after < TimeUnit.SECONDS.toNanos(35)) {
                sent++;
                boolean ok = IcmpEcho.ping(from, to, Duration.ofSeconds(1)).isPresent();
                answered += ok ? 1 : 0;
                Thread.sleep(10);
                if (sent % 100 == 0) {
                    assertEquals(others, hosts(h1), agentLogs(h1, h2));
                }
            }
        }
        System.out.printf("probe: %d/%d echoes answered across the outage and the restart%n", answered, sent);
        assertEquals(others, hosts(h1), agentLogs(h1, h2));
        assertEquals(dropsBefore, drops(h1), "the allow-list dropped none of node2's datagrams");
        assertTrue(answered > 0);
    }

    /**
     * Cuts the lab's etcd off from every client, both ways (nf_tables in its namespace), or lets them
     * back. One way only would be a half-open partition: etcd would expire the leases it no longer hears
     * from and still tell the agents so.
     */
    private static void cutStore(LabRecord lab, boolean cut) {
        String ns = lab.underlayNamespace();
        String port = lab.store().substring(lab.store().lastIndexOf(':') + 1);
        if (cut) {
            Sh.run("ip", "netns", "exec", ns, "nft", "add", "table", "ip", "olcut").ok();
            Sh.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", "olcut", "in",
                    "{ type filter hook input priority 0; }").ok();
            Sh.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", "olcut", "in", "tcp", "dport", port, "drop").ok();
            // Both ways: etcd's side of an open connection must not reach the agents either.
            Sh.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", "olcut", "out",
                    "{ type filter hook output priority 0; }").ok();
            Sh.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", "olcut", "out", "tcp", "sport", port, "drop").ok();
        } else {
            Sh.run("ip", "netns", "exec", ns, "nft", "delete", "table", "ip", "olcut").ok();
        }
    }

    /** Both agents' logs, for a failure's message. */
    private String agentLogs(LabHost h1, LabHost h2) throws java.io.IOException {
        return "node1's agent:\n" + java.nio.file.Files.readString(fixture.lab().agentLog(h1)) + "\nnode2's agent:\n"
                + java.nio.file.Files.readString(fixture.lab().agentLog(h2));
    }

    private Host hostOf(LabHost h) {
        return Host.open(h.nsPrefix(), fixture.stateDir, Optional.of(h.namespace()));
    }

    private Set<String> hosts(LabHost h) {
        try (Host host = hostOf(h)) {
            return AllowList.members(host, AllowList.HOSTS).stream().map(Inet4Address::getHostAddress)
                    .collect(Collectors.toSet());
        }
    }

    private long drops(LabHost h) {
        try (Host host = hostOf(h)) {
            return AllowList.drops(host).getOrDefault("demo", -1L);
        }
    }

    private static boolean fdbTo(LabHost h, String vtep) {
        return Sh.run("bridge", "-n", h.overlayNamespace(), "fdb", "show", "dev", "vxlan1").out()
                .contains(NEW_MAC + " dst " + vtep);
    }
}
