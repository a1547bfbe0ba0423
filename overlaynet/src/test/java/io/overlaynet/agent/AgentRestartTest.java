package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.EndpointInfo;
import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.store.EtcdStore;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.overlaynet.agent.AgentFaultsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An agent down while the cluster churns: 200 endpoints deleted, their IPs reused on another host with
 * other MACs, a host's VTEP changed, the etcd history compacted. Its first reconcile after the restart
 * leaves its kernel exactly as the store says, within a second of the agent answering.
 */
class AgentRestartTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    private static final int N = 200;

    @Test
    void theFirstReconcileAfterARestartCatchesUpWithEverythingMissed() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(3, false, "etcd");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        LabHost h3 = lab.hosts().get(2);
        try (NetNs underlay = NetNs.named(lab.underlayNamespace())) {
            // The lab's etcd listens in the underlay namespace: the client is made and used there.
            Store store = underlay.call(() -> Stores.open(lab.store()));
            try {
                Map<String, String> onNode2 = new LinkedHashMap<>();
                for (int i = 0; i < N; i++) {
                    InetAddress ip = Ip.parse("12.12.12." + (20 + i));
                    onNode2.put(Keys.endpoint("demo", ip.getHostAddress()), StoreRecords.json(new EndpointInfo("e" + i,
                            Endpoints.macFor(ip).toString(), "node2", h2.address())));
                }
                underlay.call(() -> {
                    store.putAll(onNode2);
                    return null;
                });
                await("node1 programs the 200", () -> permanentArp(h1).size() >= N + 3, 30);

                ProcessHandle agent1 = ProcessHandle.of(lab.agentPids().getFirst()).orElseThrow();
                agent1.destroyForcibly();
                agent1.onExit().get(10, TimeUnit.SECONDS);

                Map<String, String> onNode3 = new LinkedHashMap<>();
                for (int i = 0; i < N; i++) {
                    String ip = "12.12.12." + (20 + i);
                    onNode3.put(Keys.endpoint("demo", ip), StoreRecords.json(new EndpointInfo("r" + i,
                            new MacAddress(0x0243_0000_0000L | (20 + i)).toString(), "node3", h3.address())));
                }
                underlay.call(() -> {
                    onNode2.keySet().forEach(store::delete);
                    store.putAll(onNode3);
                    // node2's underlay address changed: its record now names another VTEP.
                    store.put(Keys.host("node2"), StoreRecords.json(new HostInfo("node2", "192.168.104.99",
                            "02:00:00:00:00:99")));
                    ((EtcdStore) store).compact();
                    return null;
                });

                Cli.expect(0, List.of("--state-dir", fixture.stateDir.toString()), "lab", "up", "--hosts", "3",
                        "--mode", "proactive", "--store", "etcd", "--prefix", fixture.prefix);
                long answered = System.nanoTime();
                Map<String, String> want = underlay.call(() -> expected(store, "node1",
                        Map.of("node2", "192.168.104.99", "node3", h3.address())));
                await("node1's kernel matches the store", () -> kernel(h1).equals(want), 10);
                double ms = (System.nanoTime() - answered) / 1e6;
                assertEquals(want, kernel(h1));
                assertTrue(ms < 1000, "caught up " + ms + " ms after the agent answered");
            } finally {
                underlay.call(() -> {
                    store.close();
                    return null;
                });
            }
        }
    }

    /** What node {@code me} should hold: "arp IP MAC" and "fdb MAC VTEP" for every other host's endpoint. */
    private static Map<String, String> expected(Store s, String me, Map<String, String> vteps) {
        Map<String, String> out = new HashMap<>();
        for (Store.Entry e : s.list(Keys.endpoints("demo")).entries()) {
            EndpointInfo i = StoreRecords.parse(e.value(), EndpointInfo.class);
            if (!i.host().equals(me)) {
                out.put("arp " + Keys.leaf(e.key()), i.mac());
                out.put("fdb " + i.mac(), vteps.get(i.host()));
            }
        }
        return out;
    }

    private static Map<String, String> kernel(LabHost h) {
        Map<String, String> out = new HashMap<>(permanentArp(h));
        try (NetNs ns = NetNs.named(h.overlayNamespace()); Rtnl rt = Rtnl.open(ns)) {
            for (FdbEntry f : rt.fdb().list(rt.links().index("vxlan1"))) {
                if (f.isSelf() && f.isPermanent() && f.dst().isPresent() && !f.mac().isZero()) {
                    String prev = out.put("fdb " + f.mac(), f.dst().get().getHostAddress());
                    if (prev != null) {
                        out.put("fdb " + f.mac(), prev + "," + f.dst().get().getHostAddress());
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> permanentArp(LabHost h) {
        Map<String, String> out = new HashMap<>();
        Set<String> seen = new HashSet<>();
        try (NetNs ns = NetNs.named(h.overlayNamespace()); Rtnl rt = Rtnl.open(ns)) {
            for (Neighbour n : rt.neighbours().list(rt.links().index("vxlan1"))) {
                if (n.isPermanent() && n.mac().isPresent() && seen.add(n.ip().getHostAddress())) {
                    out.put("arp " + n.ip().getHostAddress(), n.mac().get().toString());
                }
            }
        }
        return out;
    }
}
