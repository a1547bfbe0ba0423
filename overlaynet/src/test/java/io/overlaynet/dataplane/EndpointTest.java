package io.overlaynet.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.state.LocalState;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Endpoints: attach by /proc/PID/ns/net, MTU and the wire format, atomic failure. */
class EndpointTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void attachTheNamespaceOfARunningProcessByPath() throws Exception {
        LabRecord lab = fixture.up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        Process sleeper = new ProcessBuilder("unshare", "--net", "sleep", "120").start();
        try {
            Path nsPath = Path.of("/proc/" + sleeper.pid() + "/ns/net");
            waitForOwnNamespace(sleeper.pid());
            try (Host host = Host.open(h1.nsPrefix(), fixture.stateDir, Optional.of(h1.namespace()))) {
                new Endpoints(host).add(new Endpoints.Request("demo", "proc", Ip.parse("12.12.12.50"), Optional.empty(),
                        Optional.of(nsPath)));
            }
            try (Host host = Host.open(h2.nsPrefix(), fixture.stateDir, Optional.of(h2.namespace()))) {
                new Peers(host).addEndpoint("demo", Ip.parse("12.12.12.50"), Optional.empty(), Ip.parse(h1.address()));
            }
            String out = Sh.run("nsenter", "-t", Long.toString(sleeper.pid()), "-n", "ping", "-c", "1", "-W", "2",
                    "12.12.12.3").out();
            assertTrue(out.contains("1 received"), out);
            assertTrue(LabPing.ping(h2.containers().get(0).namespace(), "12.12.12.50").isPresent());

            try (Host host = Host.open(h1.nsPrefix(), fixture.stateDir, Optional.of(h1.namespace()))) {
                assertTrue(new Endpoints(host).remove("demo", "proc"));
            }
            assertTrue(sleeper.isAlive(), "removing the endpoint must not touch a namespace overlaynet did not make");
            String links = Sh.run("nsenter", "-t", Long.toString(sleeper.pid()), "-n", "ip", "-j", "link").out();
            assertFalse(links.contains("eth0"), links);
        } finally {
            sleeper.destroy();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void waitForOwnNamespace(long pid) throws Exception {
        String self = Sh.run("readlink", "/proc/self/ns/net").out().trim();
        for (int i = 0; i < 100; i++) {
            String theirs = Sh.run("readlink", "/proc/" + pid + "/ns/net").out().trim();
            if (!theirs.isEmpty() && !theirs.equals(self)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + pid + " never entered its own namespace");
    }

    @Test
    void endpointMtuIsTheNetworkMtuAndFramesCarryVni42ToPort4789() throws Exception {
        LabRecord lab = fixture.up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        String pink = h1.containers().get(0).namespace();
        JsonNode eth0 = Sh.ipJson(pink, "link", "show", "dev", "eth0").get(0);
        assertEquals(1450, eth0.get("mtu").asInt());
        assertEquals(1, eth0.get("num_tx_queues").asInt());
        assertEquals(1, eth0.get("num_rx_queues").asInt());
        // IPv4 networks: no IPv6 on eth0 (nothing to flood across the overlay), while lo keeps ::1.
        JsonNode eth0v6 = Sh.ipJson(pink, "-6", "address", "show", "dev", "eth0");
        assertTrue(eth0v6.isEmpty() || eth0v6.get(0).path("addr_info").isEmpty(), eth0v6.toString());
        assertTrue(Sh.ipJson(pink, "-6", "address", "show", "dev", "lo").toString().contains("\"::1\""));

        Process dump = new ProcessBuilder("ip", "netns", "exec", h1.namespace(), "tcpdump", "-l", "-nn", "-vv", "-c", "1",
                "-i", "eth1", "udp", "dst", "port", "4789").redirectErrorStream(true).start();
        try {
            Thread.sleep(500);
            for (int i = 0; i < 20 && dump.isAlive(); i++) {
                LabPing.ping(pink, "12.12.12.3");
            }
            assertTrue(dump.waitFor(10, TimeUnit.SECONDS), "tcpdump saw nothing");
            String out = new String(dump.getInputStream().readAllBytes());
            assertTrue(out.contains("VXLAN") && out.contains("vni 42"), out);
            assertTrue(out.contains("192.168.104.2.") && out.contains("192.168.104.3.4789"), out);
            // The network's default: no outer UDP checksum (tcpdump -vv says so for a zero checksum).
            assertTrue(out.contains("[no cksum] VXLAN"), out);
        } finally {
            dump.destroy();
        }
    }

    @Test
    void tcpAcrossTheOverlaySendsSegmentsOfAMultipleOf8Bytes() throws Exception {
        LabRecord lab = fixture.up(2, new Mode.Static());
        String pink1 = lab.hosts().get(0).containers().get(0).namespace();
        String pink2 = lab.hosts().get(1).containers().get(0).namespace();
        // Both of the container's routes (the kernel's subnet route, replaced in place, and the default)
        // advertise 1404: MTU 1450 - 40 of headers - 12 of timestamps is 1398, down to a multiple of 8.
        JsonNode routes = Sh.ipJson(pink1, "route", "show");
        assertEquals(2, routes.size(), routes.toString());
        for (JsonNode r : routes) {
            assertEquals(1404, r.path("metrics").path(0).path("advmss").asInt(), r.toString());
        }
        assertEquals("kernel", routes.valueStream().filter(r -> r.get("dst").asText().equals("12.12.12.0/24"))
                .findFirst().orElseThrow().get("protocol").asText());
        // What a TCP connection between two containers then uses: iperf3 reports the socket's MSS.
        Process server = new ProcessBuilder("ip", "netns", "exec", pink2, "iperf3", "-s", "-1", "-p", "5399")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String json = "";
            for (int i = 0; i < 50 && !json.contains("tcp_mss_default"); i++) {
                Thread.sleep(100);
                json = Sh.run("ip", "netns", "exec", pink1, "iperf3", "-c", "12.12.12.3", "-p", "5399", "-t", "1",
                        "-J").out();
            }
            assertEquals(1392, LocalState.JSON.readTree(json).at("/start/tcp_mss_default").asInt(),
                    json);
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
        // The rule at other MTUs: 1500 keeps the kernel's own 1460; 9000 gives 8956 (8944-byte segments).
        for (int[] mtuMss : new int[][]{{1450, 1404}, {1500, 1460}, {9000, 8956}, {1400, 1356}}) {
            NetworkConfig net = new NetworkConfig("n", 42, IpPrefix.parse("10.0.0.0/24"),
                    Ip.parse("10.0.0.1"), mtuMss[0], NetworkConfig.DEFAULT_PORT, new Mode.Static(), Optional.empty(),
                    false);
            assertEquals(mtuMss[1], net.tcpAdvmss(), "MTU " + mtuMss[0]);
        }
    }

    @Test
    void aFailureHalfwayLeavesNothingBehind() throws Exception {
        // Containers on veth + bridge (the bridge-side name is what the second failure takes away);
        // MacvlanAttachTest fails a macvlan attach halfway.
        LabRecord lab = fixture.lab().attachedBy(Attach.BRIDGE).up(1, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        // A foreign namespace that already has a default route: our route add fails after veth and address.
        String foreign = fixture.ns("foreign");
        Sh.run("ip", "netns", "add", foreign).ok();
        Sh.ip(foreign, "link", "set", "lo", "up");
        Sh.ip(foreign, "route", "add", "default", "dev", "lo");
        try (Host host = Host.open(h1.nsPrefix(), fixture.stateDir, Optional.of(h1.namespace()))) {
            Endpoints endpoints = new Endpoints(host);
            int before = Sh.ipJson(host.overlayNamespace("demo"), "link", "show").size();
            assertThrows(NetlinkException.Exists.class, () -> endpoints.add(new Endpoints.Request("demo", "fx",
                    Ip.parse("12.12.12.60"), Optional.empty(), Optional.of(Path.of("/run/netns/" + foreign)))));
            assertEquals(before, Sh.ipJson(host.overlayNamespace("demo"), "link", "show").size(),
                    "the bridge-side veth must be gone");
            assertEquals(1, Sh.ipJson(foreign, "link", "show").size(), "only lo stays in the foreign namespace");
            assertTrue(NetNamespaces.exists(foreign), "a namespace we did not make is never removed");
            assertTrue(endpoints.find("demo", "fx").isEmpty());

            // A namespace we make, then a failure after it (the bridge-side name is taken): the namespace
            // and the IP claim (the record under its address) are both gone again.
            Sh.ip(host.overlayNamespace("demo"), "link", "add", Endpoints.vethName("demo", "vx"), "type", "bridge");
            assertThrows(NetlinkException.Exists.class, () -> endpoints.add(new Endpoints.Request("demo", "vx",
                    Ip.parse("12.12.12.62"), Optional.empty(), Optional.empty())));
            assertFalse(NetNamespaces.exists(host.containerNamespace("vx")));
            assertTrue(endpoints.byIp("demo", Ip.parse("12.12.12.62")).isEmpty());
            assertFalse(endpoints.remove("demo", "vx"), "no claim is left for the endpoint that failed");
            Sh.ip(host.overlayNamespace("demo"), "link", "del", Endpoints.vethName("demo", "vx"));
            int withDummyGone = Sh.ipJson(host.overlayNamespace("demo"), "link", "show").size();
            assertEquals(before, withDummyGone);

            // Duplicate IP and a clashing namespace name: refused before anything is made.
            IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> endpoints.add(
                    new Endpoints.Request("demo", "dup", Ip.parse("12.12.12.2"), Optional.empty(), Optional.empty())));
            assertTrue(dup.getMessage().contains("already used by endpoint pinkns"), dup.getMessage());
            assertFalse(NetNamespaces.exists(host.containerNamespace("dup")));
            Sh.run("ip", "netns", "add", host.containerNamespace("taken")).ok();
            IllegalArgumentException clash = assertThrows(IllegalArgumentException.class, () -> endpoints.add(
                    new Endpoints.Request("demo", "taken", Ip.parse("12.12.12.61"), Optional.empty(), Optional.empty())));
            assertTrue(clash.getMessage().contains("already exists"), clash.getMessage());
            assertTrue(endpoints.byIp("demo", Ip.parse("12.12.12.61")).isEmpty(), "the refused add's claim is gone");
            assertEquals(1, Sh.ipJson(host.containerNamespace("taken"), "link", "show").size());
            assertEquals(before, Sh.ipJson(host.overlayNamespace("demo"), "link", "show").size());
        }
    }

    /**
     * An add killed half-way (here: its claim, namespace and veth made by hand) holds its name and IP;
     * a new add says so, and rm removes the claim with what it had made.
     */
    @Test
    void anAddCutShortIsReportedAndRemovable() throws Exception {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        try (Host host = Host.open(h1.nsPrefix(), fixture.stateDir, Optional.of(h1.namespace()))) {
            Endpoints endpoints = new Endpoints(host);
            String ns = host.containerNamespace("cut");
            String veth = Endpoints.vethName("demo", "cut");
            String ovl = host.overlayNamespace("demo");
            new EndpointJournal(host.state().root(), "demo").claim(new Records.EndpointRecord("demo", "cut",
                    "12.12.12.70", "02:42:0c:0c:0c:46", ns, true, veth, "eth0"));
            Sh.run("ip", "netns", "add", ns).ok();
            Sh.ip(ovl, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);

            IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> endpoints.add(
                    new Endpoints.Request("demo", "cut", Ip.parse("12.12.12.70"), Optional.empty(), Optional.empty())));
            assertTrue(again.getMessage().contains("cut short") && again.getMessage().contains("endpoint rm"),
                    again.getMessage());
            IllegalArgumentException ip = assertThrows(IllegalArgumentException.class, () -> endpoints.add(
                    new Endpoints.Request("demo", "other", Ip.parse("12.12.12.70"), Optional.empty(), Optional.empty())));
            assertTrue(ip.getMessage().contains("already used by endpoint cut"), ip.getMessage());
            assertTrue(endpoints.list(Optional.of("demo")).stream().noneMatch(e -> e.name().equals("cut")),
                    "ls shows only endpoints that work");

            assertTrue(endpoints.remove("demo", "cut"));
            assertFalse(Sh.run("ip", "netns", "list").ok().out().contains(ns), "its namespace is gone");
            assertTrue(Sh.ipJson(ovl, "link", "show").toString().indexOf(veth) < 0, "its veth is gone");

            endpoints.add(new Endpoints.Request("demo", "cut", Ip.parse("12.12.12.70"), Optional.empty(), Optional.empty()));
            assertEquals("12.12.12.70", endpoints.find("demo", "cut").orElseThrow().ip());
            assertTrue(LabPing.ping(h1.containers().get(0).namespace(), "12.12.12.70").isPresent());
        }
    }
}
