package io.overlaynet.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.AllowList;
import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault table: each fault is injected into a healthy lab with iproute2 or nft (as an operator or an
 * accident would), and {@code lab doctor} must name it with its code in both directions of the pair it
 * breaks: pinkns@node1 (12.12.12.2) to pinkns@node2 (12.12.12.3), and back. Before each injection the
 * same pair is healthy, and healthy labs show no alarm on any of their 20 pairs.
 */
class DoctorTest {
    private static final String A = "pinkns@node1";
    private static final String A_IP = "12.12.12.2";
    private static final String B = "pinkns@node2";
    private static final String B_IP = "12.12.12.3";

    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    /** The faults of a static lab: what to do to it, and the code that names it. */
    enum Fault {
        MISSING_ARP("missing-arp"), MISSING_FDB("missing-fdb"), WRONG_VTEP("wrong-vtep"),
        LEARNED_AGED_OUT("learned-aged-out"), VNI_MISMATCH("vni-mismatch"), PORT_MISMATCH("port-mismatch"),
        MTU_MISMATCH("mtu-mismatch"), LINK_DOWN("link-down"), FORWARD_DROP("forward-drop"),
        UNDERLAY_UNREACHABLE("underlay-unreachable"), DUPLICATE_MAC("duplicate-mac"), VTEP_NOT_ALLOWED("vtep-not-allowed");

        final String code;

        Fault(String code) {
            this.code = code;
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void eachInjectedFaultIsNamedBothWays(Fault fault) throws Exception {
        // The walkthroughs' layout: the faults are injected as a hand-built host would have them (br0).
        LabRecord lab = fixture.lab().attachedBy(Attach.BRIDGE).up(3, new Mode.Static());
        assertTrue(doctor(A, B_IP).path("ok").asBoolean(), "healthy before the fault");
        inject(fault, lab);
        JsonNode there = doctor(A, B_IP);
        JsonNode back = doctor(B, A_IP);
        assertEquals(fault.code, there.path("cause").asText(), there.toString());
        assertEquals(fault.code, back.path("cause").asText(), back.toString());
        for (JsonNode f : List.of(there, back)) {
            assertFalse(f.path("ok").asBoolean());
            assertFalse(f.path("hop").asText().isEmpty(), f.toString());
            assertFalse(f.path("detail").asText().isEmpty(), f.toString());
            assertFalse(f.path("fix").asText().isEmpty(), f.toString());
        }
    }

    private void inject(Fault fault, LabRecord lab) throws Exception {
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        LabHost h3 = lab.hosts().get(2);
        String ovl1 = h1.overlayNamespace();
        String ovl2 = h2.overlayNamespace();
        String macB = h2.containers().getFirst().mac();
        switch (fault) {
            case MISSING_ARP -> sh("ip", "-n", ovl1, "neigh", "del", B_IP, "dev", "vxlan1");
            case MISSING_FDB -> sh("bridge", "-n", ovl1, "fdb", "del", macB, "dev", "vxlan1", "dst", h2.address(), "self");
            case WRONG_VTEP -> sh("bridge", "-n", ovl1, "fdb", "replace", macB, "dev", "vxlan1", "dst", h3.address(),
                    "self", "permanent");
            case LEARNED_AGED_OUT -> {
                // The device learns, its entry for B is a learned one, and it ages out (1 s, swept within 10 s).
                // The containers forget each other first: their ARP refreshes would teach the entry again.
                sh("ip", "-n", h1.containers().getFirst().namespace(), "neigh", "flush", "all");
                sh("ip", "-n", h2.containers().getFirst().namespace(), "neigh", "flush", "all");
                sh("ip", "-n", ovl1, "link", "set", "vxlan1", "type", "vxlan", "learning", "ageing", "1");
                sh("bridge", "-n", ovl1, "fdb", "replace", macB, "dev", "vxlan1", "dst", h2.address(), "self", "dynamic");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (Sh.run("bridge", "-n", ovl1, "fdb", "show", "dev", "vxlan1").out().lines()
                        .anyMatch(l -> l.startsWith(macB) && l.contains(" self"))) {
                    assertTrue(System.nanoTime() < deadline, "the learned entry did not age out in 20 s");
                    Thread.sleep(200);
                }
            }
            case VNI_MISMATCH -> recreateVxlan(h2, "43", "4789");
            case PORT_MISMATCH -> recreateVxlan(h2, "42", "4790");
            case MTU_MISMATCH -> sh("ip", "-n", h2.namespace(), "link", "set", "eth1", "mtu", "1400");
            case LINK_DOWN -> sh("ip", "-n", ovl2, "link", "set", "vxlan1", "down");
            case FORWARD_DROP -> {
                String table = fixture.prefix.replace("-", "");
                sh("nsenter", "--net=/run/netns/" + ovl2, "nft", "add", "table", "bridge", table);
                sh("nsenter", "--net=/run/netns/" + ovl2, "nft", "add", "chain", "bridge", table, "forward",
                        "{ type filter hook forward priority 0; policy drop; }");
            }
            case UNDERLAY_UNREACHABLE -> sh("ip", "-n", h1.namespace(), "route", "add", "blackhole", h2.address() + "/32");
            case DUPLICATE_MAC -> sh("ip", "-n", h3.containers().getFirst().namespace(), "link", "set", "eth0", "address", macB);
            case VTEP_NOT_ALLOWED -> {
                // node1's VTEP taken out of node2's allow-list by hand: node2 now drops what node1 sends.
                String table;
                try (Host h = Host.open(h2.nsPrefix(), fixture.stateDir, Optional.of(h2.namespace()))) {
                    table = AllowList.table(h);
                }
                sh("ip", "netns", "exec", h2.namespace(), "nft", "delete", "element", "ip", table, "peers",
                        "{ " + h1.address() + " }");
            }
        }
    }

    /** Replaces node2's VXLAN device by one with another VNI or port, as a host set up by hand might have. */
    private static void recreateVxlan(LabHost h, String vni, String port) {
        String ovl = h.overlayNamespace();
        sh("ip", "-n", ovl, "link", "del", "vxlan1");
        sh("ip", "-n", h.namespace(), "link", "add", "vxlan1", "type", "vxlan", "id", vni, "local", h.address(), "dev",
                "eth1", "dstport", port, "nolearning", "proxy");
        sh("ip", "-n", h.namespace(), "link", "set", "vxlan1", "netns", ovl);
        sh("ip", "-n", ovl, "link", "set", "vxlan1", "master", "br0", "mtu", "1450", "up");
    }

    /**
     * A host that cannot look into the others (a real one) knows them by its peer records: its own half
     * of the path is checked, and a missing entry there is still named.
     */
    @Test
    void aHostAloneSeesTheOthersThroughItsPeerRecords() {
        LabRecord lab = fixture.up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        HostView.Spec alone = new HostView.Spec("node1", java.util.Optional.of(h1.namespace()), h1.nsPrefix(), fixture.stateDir);
        Doctor healthy = Doctor.ofHost(alone, "demo", java.util.Optional.empty());
        HostView.EndpointView a = healthy.endpoint("pinkns", java.util.Optional.of("node1")).orElseThrow();
        Finding ok = healthy.diagnose(a, B_IP);
        assertTrue(ok.ok(), ok.toString());
        assertEquals(2, healthy.views().size(), "node1, and the VTEP its peers sit behind");
        sh("bridge", "-n", h1.overlayNamespace(), "fdb", "del", lab.hosts().get(1).containers().getFirst().mac(), "dev",
                "vxlan1", "dst", lab.hosts().get(1).address(), "self");
        Doctor after = Doctor.ofHost(alone, "demo", java.util.Optional.empty());
        Finding broken = after.diagnose(after.endpoint("pinkns", java.util.Optional.of("node1")).orElseThrow(), B_IP);
        assertEquals("missing-fdb", broken.code(), broken.toString());
        assertEquals("unknown-endpoint", after.diagnose(a, "12.12.12.77").code());
    }

    /** The agent of node1 is killed; node2 gains an endpoint: node1's kernel is behind the store. */
    @Test
    void aDeadAgentBehindTheStoreIsNamedBothWays() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        JsonNode healthy = Cli.expect(0, where, "lab", "doctor", "--prefix", fixture.prefix, "-o", "json").json();
        assertEquals(lab.containers().size() * (lab.containers().size() - 1), healthy.size());
        ProcessHandle agent1 = ProcessHandle.of(lab.agentPids().get(0)).orElseThrow();
        agent1.destroyForcibly();
        agent1.onExit().get(10, TimeUnit.SECONDS);
        List<String> asNode2 = new ArrayList<>(List.of("--host-ns", lab.hosts().get(1).namespace()));
        asNode2.addAll(where);
        Cli.expect(0, asNode2, "endpoint", "add", "demo", "late", "--ip", "12.12.12.20");
        JsonNode there = doctor(A, "12.12.12.20");
        JsonNode back = doctor("late@node2", A_IP);
        assertEquals("agent-down", there.path("cause").asText(), there.toString());
        assertEquals("agent-down", back.path("cause").asText(), back.toString());
    }

    /** No false alarm: every pair of a healthy lab, static and learning (entries learned as traffic flows). */
    @ParameterizedTest
    @EnumSource(names = {"STATIC", "LEARNING"})
    void aHealthyLabHasNoAlarm(Modes mode) {
        fixture.up(3, mode.mode);
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        Cli.Run text = Cli.expect(0, where, "lab", "doctor", "--prefix", fixture.prefix);
        assertTrue(text.out().endsWith("20/20 pairs healthy\n"), text.out());
        JsonNode all = Cli.expect(0, where, "lab", "doctor", "--prefix", fixture.prefix, "-o", "json").json();
        assertEquals(20, all.size());
        for (JsonNode f : all) {
            assertTrue(f.path("ok").asBoolean(), f.toString());
            assertTrue(f.path("cause").isNull(), f.toString());
        }
    }

    enum Modes {
        STATIC(new Mode.Static()), LEARNING(new Mode.Learning());

        final Mode mode;

        Modes(Mode mode) {
            this.mode = mode;
        }
    }

    private JsonNode doctor(String from, String to) {
        Cli.Run r = Cli.run(List.of("--state-dir", fixture.stateDir.toString()), "lab", "doctor", "--prefix", fixture.prefix,
                "--from", from, "--to", to, "-o", "json");
        assertTrue(r.exit() == 0 || r.exit() == 1, r.err());
        JsonNode j = r.json();
        assertEquals(r.exit() == 0, j.path("ok").asBoolean(), j.toString());
        return j;
    }

    private static void sh(String... cmd) {
        Sh.Result r = Sh.run(cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.out());
    }
}
