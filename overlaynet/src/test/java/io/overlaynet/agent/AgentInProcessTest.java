package io.overlaynet.agent;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.store.FileStore;
import io.overlaynet.store.Keys;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static io.overlaynet.agent.AgentFaultsTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One agent in the test's JVM, acting for a lab host: proactive programming, reconcile that removes
 * only stale entries it owns, a network too wide for the underlay refused, metrics, and deregistration
 * on a clean stop.
 */
class AgentInProcessTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void programsReconcilesReportsAndDeregisters() throws Exception {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h1 = lab.hosts().getFirst();
        Path storeDir = fixture.stateDir.resolve("store");
        FileStore store = new FileStore(storeDir);
        store.put(Keys.network("blue"), StoreRecords.json(new StoreRecords.NetworkSpec("blue", 55, "10.60.0.0/24",
                "10.60.0.1", 1450, 4789, true)));
        store.put(Keys.host("ghost"), StoreRecords.json(new StoreRecords.HostInfo("ghost", "192.168.104.50", "02:00:00:00:00:50")));
        store.put(Keys.endpoint("blue", "10.60.0.9"), StoreRecords.json(new StoreRecords.EndpointInfo("g9",
                "02:42:0a:3c:00:09", "ghost", "192.168.104.50")));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String prefix = h1.nsPrefix() + "a-";
        String ovl = prefix + "ovl-blue";
        AgentConfig cfg = new AgentConfig("file://" + storeDir, "node1", false, Optional.of("eth1"), prefix,
                fixture.stateDir, Optional.of(h1.namespace()), Duration.ofSeconds(5),
                fixture.stateDir.resolve("agent.sock"), port, Duration.ofSeconds(1), false);
        try (Agent agent = new Agent(cfg)) {
            agent.start();
            EndpointRecord c1 = agent.addEndpoint("blue", "c1", Optional.empty(), Optional.empty(), Optional.empty());
            assertEquals("10.60.0.2", c1.ip(), "IPAM hands out the lowest free address");
            assertTrue(store.get(Keys.endpoint("blue", "10.60.0.2")).orElseThrow().value().contains("node1"));
            await("ARP for the remote endpoint", () -> arp(ovl, "10.60.0.9"), 10);
            assertTrue(Sh.fdbJson(ovl, "dev", "vxlan1").toString().contains("192.168.104.50"));
            assertTrue(Sh.ipJson(ovl, "link", "show", "dev", "vxlan1").get(0).path("linkinfo").path("info_data")
                    .path("udp_csum").asBoolean(false), "the store's udpCsum reaches the VXLAN device");

            // A network whose MTU this host's underlay cannot carry is refused, with nothing made or allocated.
            store.put(Keys.network("wide"), StoreRecords.json(new StoreRecords.NetworkSpec("wide", 56, "10.61.0.0/24",
                    "10.61.0.1", 1460, 4789, false)));
            IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class, () -> agent.addEndpoint(
                    "wide", "c2", Optional.empty(), Optional.empty(), Optional.empty()));
            assertTrue(tooWide.getMessage().contains("MTU 1460 plus VXLAN's 50 bytes is more than eth1's MTU 1500"),
                    tooWide.getMessage());
            assertFalse(NetNamespaces.list().contains(prefix + "ovl-wide"), NetNamespaces.list().toString());
            assertTrue(store.list(Keys.endpoints("wide")).entries().isEmpty(), "no address is allocated");

            // A stale entry of ours appears (e.g. left by a crash); one that is not ours sits on the gateway's link.
            Sh.ip(ovl, "neigh", "add", "10.60.0.77", "lladdr", "02:42:0a:3c:00:4d", "dev", "vxlan1", "nud", "permanent");
            Sh.ip(ovl, "neigh", "add", "10.60.0.88", "lladdr", "02:42:0a:3c:00:58", "dev", "gw0", "nud", "permanent");
            await("the periodic reconcile removes the stale entry", () -> !arp(ovl, "10.60.0.77"), 10);
            assertTrue(Sh.ipJson(ovl, "neigh", "show", "10.60.0.88").size() == 1, "entries overlaynet does not own stay");

            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String m : new String[]{"overlaynet_entries_programmed_total", "overlaynet_reconcile_differences_total",
                "overlaynet_watch_lag_seconds_count", "overlaynet_store_latency_seconds_sum",
                "overlaynet_vtep_dropped_total{network=\"blue\"} 0", "overlaynet_vtep_dropped_total{network=\"local-sockets\"} 0"}) {
                assertTrue(metrics.contains(m), m + " missing in:\n" + metrics);
            }

            store.delete(Keys.endpoint("blue", "10.60.0.9"));
            await("the remote endpoint's entries go with its record", () -> !arp(ovl, "10.60.0.9"), 10);
        }
        assertTrue(store.get(Keys.host("node1")).isEmpty(), "a clean stop deregisters the host");
        assertTrue(store.get(Keys.endpoint("blue", "10.60.0.2")).isEmpty(), "and its endpoints");
        assertTrue(Files.exists(storeDir.resolve("arp")), "the walkthroughs' layout is kept beside the records");
    }

    private static boolean arp(String ns, String ip) {
        return Sh.ipJson(ns, "neigh", "show", ip, "dev", "vxlan1").size() > 0;
    }
}
