package io.overlaynet.doctor;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.doctor.Diagnosis.Probe;
import io.overlaynet.doctor.HostView.EndpointView;
import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.VxlanSpec;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walk as a pure function, without root: snapshots built in memory for two static hosts. Healthy
 * when everything is in place and the probe answered; each missing piece named by its code; the probe
 * alone decides between no alarm and no-answer, and between small and full-size (mtu-mismatch).
 */
class DiagnosisTest {
    private static final int UP = Rtm.IFF_UP | Rtm.IFF_LOWER_UP;
    private static final Probe ANSWERED = new Probe(Optional.of(0.1), Optional.of(0.2));

    private static Link link(int index, String name, int mtu, int master, Optional<VxlanSpec> vxlan) {
        return new Link(index, name, UP, mtu, Optional.of(MacAddress.parse("02:00:00:00:00:" + String.format("%02x", index))),
                master, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), vxlan, Attrs.EMPTY);
    }

    private static HostView host(String name, String vtep, String ip, String mac, String otherIp, String otherMac,
                                 String otherVtep, boolean withArp) {
        return host(name, vtep, ip, mac, otherIp, otherMac, otherVtep, withArp, Set.of("192.168.104.2", "192.168.104.3"));
    }

    private static HostView host(String name, String vtep, String ip, String mac, String otherIp, String otherMac,
                                 String otherVtep, boolean withArp, Set<String> admitted) {
        NetworkRecord net = new NetworkRecord("demo", 42, "12.12.12.0/24", "12.12.12.1", 1450, 4789, "static",
                Optional.empty(), "eth1", vtep, name + "-ovl-demo", "vxlan1", false, false, true, "bridge");
        Link bridge = link(2, "br0", 1450, 0, Optional.empty());
        Link vxlan = link(3, "vxlan1", 1450, 2, Optional.of(VxlanSpec.of(42).port(4789).learning(false)));
        EndpointView e = new EndpointView(name, "pinkns", name + "-pinkns", ip, mac,
                Optional.of(link(9, "eth0", 1450, 0, Optional.empty())), true, Optional.of(link(4, "ve" + name, 1450, 2,
                Optional.empty())));
        List<Neighbour> arp = withArp ? List.of(Neighbour.permanent(3, Ip.parse(otherIp), MacAddress.parse(otherMac)))
                : List.of();
        List<FdbEntry> fdb = List.of(FdbEntry.toVtep(3, MacAddress.parse(otherMac), Ip.parse(otherVtep)));
        return new HostView(name, "", name, name + "-ovl-demo", net, new Mode.Static(), Ip.parse(vtep),
                Optional.of(link(1, "eth1", 1500, 0, Optional.empty())), Optional.of(bridge), Optional.of(vxlan), arp, fdb,
                List.of(e), List.of(), Map.of(otherVtep, Optional.empty()), false, false, true, admitted);
    }

    private static List<HostView> lab(boolean arpOnNode1, String node1FdbVtep) {
        return List.of(
                host("node1", "192.168.104.2", "12.12.12.2", "02:42:0c:0c:0c:02", "12.12.12.3", "02:42:0c:0c:0c:03",
                        node1FdbVtep, arpOnNode1),
                host("node2", "192.168.104.3", "12.12.12.3", "02:42:0c:0c:0c:03", "12.12.12.2", "02:42:0c:0c:0c:02",
                        "192.168.104.2", true));
    }

    private static Finding diagnose(List<HostView> views, Probe probe) {
        return new Diagnosis(views).of(views.get(0).endpoints().getFirst(), "12.12.12.3", probe);
    }

    @Test
    void healthyWhenEverythingIsInPlace() {
        Finding f = diagnose(lab(true, "192.168.104.3"), ANSWERED);
        assertTrue(f.ok(), f.toString());
        assertEquals(0.1, f.rttMs().orElseThrow());
    }

    @Test
    void eachMissingPieceIsNamed() {
        assertEquals("missing-arp", diagnose(lab(false, "192.168.104.3"), ANSWERED).code());
        Finding wrong = diagnose(lab(true, "192.168.104.9"), ANSWERED);
        assertEquals("wrong-vtep", wrong.code());
        assertTrue(wrong.detail().contains("no host seen has it"), wrong.detail());
        assertEquals("unknown-endpoint", new Diagnosis(lab(true, "192.168.104.3"))
                .of(lab(true, "192.168.104.3").get(0).endpoints().getFirst(), "12.12.12.99", ANSWERED).code());
    }

    @Test
    void aVtepTheOtherSidesAllowListLacksIsNamed() {
        List<HostView> views = List.of(
                host("node1", "192.168.104.2", "12.12.12.2", "02:42:0c:0c:0c:02", "12.12.12.3", "02:42:0c:0c:0c:03",
                        "192.168.104.3", true),
                host("node2", "192.168.104.3", "12.12.12.3", "02:42:0c:0c:0c:03", "12.12.12.2", "02:42:0c:0c:0c:02",
                        "192.168.104.2", true, Set.of("192.168.104.9")));
        Finding f = diagnose(views, ANSWERED);
        assertEquals("vtep-not-allowed", f.code());
        assertEquals("node2 VTEP allow-list", f.hop());
        assertTrue(f.detail().contains("192.168.104.2"), f.detail());
        assertTrue(f.fix().contains("peer add demo"), f.fix());
    }

    @Test
    void theProbeDecidesWhatTheStateCannot() {
        Finding silent = diagnose(lab(true, "192.168.104.3"), new Probe(Optional.empty(), Optional.empty()));
        assertEquals("no-answer", silent.code());
        assertTrue(silent.detail().contains("yet the echo to 12.12.12.3"), silent.detail());
        Finding big = diagnose(lab(true, "192.168.104.3"), new Probe(Optional.of(0.1), Optional.empty()));
        assertEquals("mtu-mismatch", big.code());
    }
}
