package io.overlaynet.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.doctor.Doctor;
import io.overlaynet.doctor.Finding;
import io.overlaynet.doctor.HostView;
import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containers attached by macvlan children of the VXLAN device ({@code --attach macvlan}): every mode,
 * the gateway, hosts attaching the other way, the agents' reactive mode, the doctor, Docker's hand-over,
 * and attach and detach leaving nothing behind. The kernel (iproute2's view) is the oracle.
 */
class MacvlanAttachTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    private static JsonNode link(String ns, String dev) {
        return Sh.ipJson(ns, "-d", "link", "show", "dev", dev).get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"static", "learning", "multicast:239.1.1.1", "flood"})
    void everyContainerReachesEveryOtherAndTheGateway(String mode) {
        LabRecord lab = fixture.lab().attachedBy(Attach.MACVLAN).up(3, Mode.parse(mode));
        assertEquals("macvlan", lab.attach());
        List<LabPing.Result> results = LabPing.all(lab);
        assertEquals(20, results.size());
        List<String> failed = results.stream().filter(r -> !r.ok()).map(r -> r.from().ip() + "->" + r.to().ip()).toList();
        assertTrue(failed.isEmpty(), mode + ": unanswered " + failed);
        for (LabRecord.Container c : lab.containers()) {
            assertTrue(LabPing.ping(c.namespace(), "12.12.12.1").isPresent(), c.name() + " reaches its gateway");
        }
        LabHost h2 = lab.hosts().get(1);
        JsonNode eth0 = link(h2.containers().getFirst().namespace(), "eth0");
        assertEquals("macvlan", eth0.at("/linkinfo/info_kind").asText());
        assertEquals("bridge", eth0.at("/linkinfo/info_data/mode").asText());
        assertEquals(h2.containers().getFirst().mac(), eth0.get("address").asText());
        String ovl = h2.overlayNamespace();
        assertTrue(Sh.ipJson(ovl, "link", "show", "type", "bridge").isEmpty(), "no bridge in " + ovl);
        assertTrue(Sh.ipJson(ovl, "link", "show", "type", "veth").isEmpty(), "no veth in " + ovl);
        assertTrue(link(ovl, "vxlan1").path("master").isMissingNode(), "vxlan1 is no bridge port");
        assertEquals("macvlan", link(ovl, Overlay.GATEWAY).at("/linkinfo/info_kind").asText());
        assertTrue(fixture.lab().down());
        assertFalse(NetNamespaces.list().stream().anyMatch(n -> n.startsWith(fixture.prefix)));
    }

    /** The doctor on macvlan hosts: healthy paths pass, and a missing or misdirected FDB entry is named. */
    @Test
    void theDoctorNamesFdbFaultsOnMacvlanHosts() {
        LabRecord lab = fixture.lab().attachedBy(Attach.MACVLAN).up(3, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        LabRecord.Container b = h2.containers().getFirst();
        Doctor healthy = Doctor.ofLab(lab, fixture.stateDir);
        Finding ok = healthy.diagnose(healthy.endpoint("pinkns", Optional.of("node1")).orElseThrow(), b.ip());
        assertTrue(ok.ok(), ok.toString());
        Sh.run("bridge", "-n", h1.overlayNamespace(), "fdb", "replace", b.mac(), "dev", "vxlan1", "dst",
                lab.hosts().get(2).address(), "self", "permanent").ok();
        Doctor wrong = Doctor.ofLab(lab, fixture.stateDir);
        Finding misdirected = wrong.diagnose(wrong.endpoint("pinkns", Optional.of("node1")).orElseThrow(), b.ip());
        assertEquals("wrong-vtep", misdirected.code(), misdirected.toString());
        Sh.run("bridge", "-n", h1.overlayNamespace(), "fdb", "del", b.mac(), "dev", "vxlan1", "self").ok();
        Doctor missing = Doctor.ofLab(lab, fixture.stateDir);
        Finding gone = missing.diagnose(missing.endpoint("pinkns", Optional.of("node1")).orElseThrow(), b.ip());
        assertEquals("missing-fdb", gone.code(), gone.toString());
    }

    /** The wire is unchanged: a host attaching by bridge and one attaching by macvlan share the network. */
    @Test
    void hostsAttachingEitherWayShareTheNetwork() {
        LabRecord lab = fixture.lab().attachedBy(Attach.BRIDGE).up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        try (Host host = Host.open(h2.nsPrefix(), fixture.stateDir, Optional.of(h2.namespace()))) {
            Networks nets = new Networks(host);
            NetworkConfig was = NetworkConfig.of(nets.get(Lab.NETWORK));
            assertTrue(nets.remove(Lab.NETWORK));
            nets.create(was.attachedBy(Attach.MACVLAN), Optional.of(Lab.HOST_IF));
            Endpoints eps = new Endpoints(host);
            for (LabRecord.Container c : h2.containers()) {
                eps.add(new Endpoints.Request(Lab.NETWORK, c.name(), Ip.parse(c.ip()), Optional.of(MacAddress.parse(c.mac())),
                        Optional.empty()));
            }
            LabRecord.Container c1 = h1.containers().getFirst();
            new Peers(host).addEndpoint(Lab.NETWORK, Ip.parse(c1.ip()), Optional.of(MacAddress.parse(c1.mac())),
                    Ip.parse(h1.address()));
            assertEquals(Attach.MACVLAN, nets.get(Lab.NETWORK).attachment());
        }
        assertEquals("br0", link(h1.overlayNamespace(), "vxlan1").path("master").asText(), "node1 still attaches by bridge");
        List<LabPing.Result> results = LabPing.all(lab);
        List<String> failed = results.stream().filter(r -> !r.ok()).map(r -> r.from().ip() + "->" + r.to().ip()).toList();
        assertTrue(failed.isEmpty(), "bridge host <-> macvlan host: unanswered " + failed);
    }

    /** Attach and detach are atomic: a refused or failed add leaves no child, namespace or record behind. */
    @Test
    void attachAndDetachLeaveNothingBehind() {
        LabRecord lab = fixture.lab().attachedBy(Attach.MACVLAN).up(1, new Mode.Static());
        LabHost h1 = lab.hosts().getFirst();
        String given = fixture.ns("given");
        Sh.run("ip", "netns", "add", given).ok();
        try (Host host = Host.open(h1.nsPrefix(), fixture.stateDir, Optional.of(h1.namespace()))) {
            Endpoints eps = new Endpoints(host);
            // Into a namespace the runtime made: only the child goes on rm, the namespace stays.
            eps.add(new Endpoints.Request(Lab.NETWORK, "given", Ip.parse("12.12.12.20"), Optional.empty(),
                    Optional.of(Path.of("/run/netns/" + given))));
            assertEquals("macvlan", link(given, "eth0").at("/linkinfo/info_kind").asText());
            assertTrue(LabPing.ping(given, "12.12.12.2").isPresent(), "the given namespace reaches pinkns");
            assertTrue(LabPing.ping(given, "12.12.12.1").isPresent(), "and its gateway");
            assertFalse(eps.add(new Endpoints.Request(Lab.NETWORK, "given", Ip.parse("12.12.12.20"), Optional.empty(),
                    Optional.of(Path.of("/run/netns/" + given)))).changed(), "add again: unchanged");
            assertTrue(eps.remove(Lab.NETWORK, "given"));
            assertTrue(NetNamespaces.exists(given), "the namespace stays");
            assertEquals(List.of("lo"), Sh.ipJson(given, "link", "show").valueStream().map(l -> l.path("ifname").asText())
                    .toList(), "only lo is left in " + given);

            // A namespace that already has a default route: the add fails after the child and its address,
            // and the child goes again; the namespace (not ours) stays.
            String routed = fixture.ns("routed");
            Sh.run("ip", "netns", "add", routed).ok();
            Sh.ip(routed, "link", "set", "lo", "up");
            Sh.ip(routed, "route", "add", "default", "dev", "lo");
            assertThrows(RuntimeException.class, () -> eps.add(new Endpoints.Request(Lab.NETWORK, "routed",
                    Ip.parse("12.12.12.23"), Optional.empty(), Optional.of(Path.of("/run/netns/" + routed)))));
            assertEquals(List.of("lo"), Sh.ipJson(routed, "link", "show").valueStream().map(l -> l.path("ifname").asText())
                    .toList(), "only lo stays in " + routed);
            assertTrue(eps.find(Lab.NETWORK, "routed").isEmpty());

            // The kernel refuses a second child with pinkns's MAC: the add fails whole.
            String pinkMac = h1.containers().getFirst().mac();
            RuntimeException e = assertThrows(RuntimeException.class, () -> eps.add(new Endpoints.Request(Lab.NETWORK,
                    "twin", Ip.parse("12.12.12.21"), Optional.of(MacAddress.parse(pinkMac)), Optional.empty())));
            assertTrue(eps.find(Lab.NETWORK, "twin").isEmpty(), "no record of the failed add: " + e.getMessage());
            assertFalse(NetNamespaces.exists(host.containerNamespace("twin")), "its namespace is gone");
            eps.add(new Endpoints.Request(Lab.NETWORK, "twin", Ip.parse("12.12.12.21"), Optional.empty(),
                    Optional.empty()));
            assertTrue(LabPing.ping(host.containerNamespace("twin"), "12.12.12.2").isPresent(), "the IP is free again");

            // Docker's driver: a child handed over in the host namespace, under the name Docker asked for;
            // removed from there when Docker gives it back (here: never taken).
            eps.addForDocker(Lab.NETWORK, "d1", Ip.parse("12.12.12.22"), MacAddress.parse("02:42:0c:0c:0c:16"),
                    "/run/netns/" + given, "ond1");
            JsonNode handed = link(h1.namespace(), "ond1");
            assertEquals("macvlan", handed.at("/linkinfo/info_kind").asText());
            assertEquals("02:42:0c:0c:0c:16", handed.get("address").asText());
            assertEquals(Host.OWNER_ALIAS, handed.get("ifalias").asText());
            assertTrue(eps.remove(Lab.NETWORK, "d1"));
            assertTrue(Sh.ipJson(h1.namespace(), "link", "show", "type", "macvlan").isEmpty(), "the hand-over is gone");
        }
    }

    /** The agents' reactive mode: misses answered from the store, the ARP answer sent through gw0. */
    @Test
    void reactiveAgentsOnMacvlanHosts() {
        LabRecord lab = fixture.lab().attachedBy(Attach.MACVLAN).upWithAgents(2, true, "file");
        List<LabPing.Result> results = LabPing.all(lab);
        List<String> failed = results.stream().filter(r -> !r.ok()).map(r -> r.from().ip() + "->" + r.to().ip()).toList();
        assertTrue(failed.isEmpty(), "reactive, macvlan: unanswered " + failed);
        LabHost h1 = lab.hosts().getFirst();
        assertTrue(Sh.ipJson(h1.overlayNamespace(), "link", "show", "type", "veth").valueStream()
                .noneMatch(l -> l.path("ifname").asText().startsWith("ve")), "no endpoint veths");

        // The doctor walks the path without a veth or bridge hop, and still names a broken one.
        HostView.Spec spec = new HostView.Spec("node1", Optional.of(h1.namespace()), h1.nsPrefix(), fixture.stateDir);
        String to = lab.hosts().get(1).containers().getFirst().ip();
        Doctor healthy = Doctor.ofLab(lab, fixture.stateDir);
        Finding ok = healthy.diagnose(healthy.endpoint("pinkns", Optional.of("node1")).orElseThrow(), to);
        assertTrue(ok.ok(), ok.toString());
        Sh.ip(h1.containers().getFirst().namespace(), "link", "set", "eth0", "down");
        Doctor after = Doctor.ofHost(spec, Lab.NETWORK, Optional.of(lab.store()));
        Finding down = after.diagnose(after.endpoint("pinkns", Optional.of("node1")).orElseThrow(), to);
        assertEquals("link-down", down.code(), down.toString());
    }
}
