package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reconciler's plan, case by case, without root: what the store wants and what the kernel holds go
 * in, the steps come out. Steps are written {@code fdb+ MAC VTEP}, {@code arp+ IP MAC}, {@code arp- IP},
 * {@code fdb- MAC VTEP}, {@code forget IP} (in this host's containers), {@code network- NAME}.
 */
class PlanTest {
    private static final String N = "demo";
    private static final int VX = 7;
    private static final String H2 = "192.168.104.3";
    private static final String H3 = "192.168.104.4";

    /** One row of the table. */
    private record Case(String name, Desired desired, Observed observed, List<String> steps) {
    }

    @TestFactory
    Stream<DynamicTest> table() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("a new remote goes in: FDB first, then ARP",
                proactive(remote(".3", "node2", H2)), kernel(), List.of("fdb+ :03 " + H2, "arp+ .3 :03")));
        cases.add(new Case("what is right stays",
                proactive(remote(".3", "node2", H2)), kernel(arp(".3", ":03"), fdb(":03", H2)), List.of()));
        cases.add(new Case("an endpoint moved to another host: its FDB entry is replaced, the old VTEP goes",
                proactive(remote(".3", "node3", H3)), kernel(arp(".3", ":03"), fdb(":03", H2)),
                List.of("fdb+ :03 " + H3, "fdb- :03 " + H2)));
        cases.add(new Case("an IP came back with another MAC elsewhere: new MAC in, ARP switched, old MAC out",
                proactive(new Remote(N, ip(".3"), mac(":99"), "node3", Ip.parse(H3))),
                kernel(arp(".3", ":03"), fdb(":03", H2)),
                List.of("fdb+ :99 " + H3, "arp+ .3 :99", "forget .3", "fdb- :03 " + H2)));
        cases.add(new Case("a host changed its VTEP address: all its endpoints follow",
                proactive(remote(".3", "node2", "192.168.104.33"), remote(".4", "node2", "192.168.104.33")),
                kernel(arp(".3", ":03"), fdb(":03", H2), arp(".4", ":04"), fdb(":04", H2)),
                List.of("fdb+ :03 192.168.104.33", "fdb+ :04 192.168.104.33", "fdb- :03 " + H2, "fdb- :04 " + H2)));
        cases.add(new Case("deletes missed while the agent was down: ARP out, then FDB",
                proactive(remote(".3", "node2", H2)),
                kernel(arp(".3", ":03"), fdb(":03", H2), arp(".10", ":0a"), fdb(":0a", H3)),
                List.of("arp- .10", "fdb- :0a " + H3)));
        cases.add(new Case("a MAC with a second destination appended by hand loses the extra one",
                proactive(remote(".3", "node2", H2)), kernel(arp(".3", ":03"), fdb(":03", H2), fdb(":03", H3)),
                List.of("fdb- :03 " + H3)));
        cases.add(new Case("entries overlaynet does not own are never touched",
                proactive(),
                kernel(reachable(".50", ":32"), v6("fd00::5", ":33"), learned(":34", H2), fdb("00:00:00:00:00:00", H2),
                        externLearned(":35", H3), bridgeOwn(":36"), arp(".60", ":3c").withHand(), fdb(":3c", H3).withHand()),
                List.of()));
        cases.add(new Case("a store record for a hand-made peer's IP leaves the peer alone",
                proactive(remote(".60", "node2", H2)), kernel(arp(".60", ":3c").withHand(), fdb(":3c", H3).withHand()),
                List.of()));
        cases.add(new Case("two records with one MAC: the first is programmed, the second skipped",
                proactive(new Remote(N, ip(".3"), mac(":03"), "node2", Ip.parse(H2)),
                        new Remote(N, ip(".5"), mac(":03"), "node3", Ip.parse(H3))),
                kernel(), List.of("fdb+ :03 " + H2, "arp+ .3 :03")));
        cases.add(new Case("reactive: a missing entry waits for its miss",
                reactive(Set.of(), remote(".3", "node2", H2)), kernel(), List.of()));
        cases.add(new Case("reactive: a present entry that went wrong is corrected",
                reactive(Set.of(), remote(".3", "node3", H3)), kernel(arp(".3", ":03"), fdb(":03", H2)),
                List.of("fdb+ :03 " + H3, "fdb- :03 " + H2)));
        cases.add(new Case("reactive: a host that asked ahead gets its endpoints programmed",
                reactive(Set.of("node2"), remote(".3", "node2", H2), remote(".10", "node3", H3)), kernel(),
                List.of("fdb+ :03 " + H2, "arp+ .3 :03")));
        cases.add(new Case("reactive: stale entries go as in proactive mode",
                reactive(Set.of()), kernel(arp(".3", ":03"), fdb(":03", H2)), List.of("arp- .3", "fdb- :03 " + H2)));
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            tests.add(DynamicTest.dynamicTest(c.name(), () ->
                    assertEquals(c.steps(), Plan.of(c.desired(), c.observed()).steps().stream().map(PlanTest::text).toList())));
        }
        tests.add(DynamicTest.dynamicTest("a network gone from the store is removed; one not built here is left", () -> {
            Desired d = new Desired(Map.of("other", Desired.Network.proactive(List.of())));
            Observed o = kernelOf(arp(".3", ":03")).observed();
            assertEquals(List.of("network- demo"), Plan.of(d, o).steps().stream().map(PlanTest::text).toList());
        }));
        return tests.stream();
    }

    // ---- building the rows --------------------------------------------------------------------

    private static InetAddress ip(String last) {
        return Ip.parse("12.12.12" + last);
    }

    private static MacAddress mac(String text) {
        return MacAddress.parse(text.startsWith(":") ? "02:42:0c:0c:0c" + text : text);
    }

    private static Remote remote(String ip, String host, String vtep) {
        return new Remote(N, ip(ip), mac(":" + String.format("%02x", Integer.parseInt(ip.substring(1)))), host,
                Ip.parse(vtep));
    }

    private static Desired proactive(Remote... rs) {
        return new Desired(Map.of(N, Desired.Network.proactive(List.of(rs))));
    }

    private static Desired reactive(Set<String> ahead, Remote... rs) {
        return new Desired(Map.of(N, new Desired.Network(List.of(rs), true, ahead)));
    }

    /** A kernel entry, and whether it belongs to a peer added by hand. */
    private record Entry(Optional<Neighbour> neighbour, Optional<FdbEntry> fdb, boolean hand) {
        Entry withHand() {
            return new Entry(neighbour, fdb, true);
        }
    }

    private record Kernel(Observed.Network network) {
        Observed observed() {
            return new Observed(Map.of(N, network));
        }
    }

    private static Observed kernel(Entry... entries) {
        return kernelOf(entries).observed();
    }

    private static Kernel kernelOf(Entry... entries) {
        List<Neighbour> ns = new ArrayList<>();
        List<FdbEntry> fs = new ArrayList<>();
        List<InetAddress> handIps = new ArrayList<>();
        List<MacAddress> handMacs = new ArrayList<>();
        for (Entry e : entries) {
            e.neighbour().ifPresent(n -> {
                ns.add(n);
                if (e.hand()) {
                    handIps.add(n.ip());
                }
            });
            e.fdb().ifPresent(f -> {
                fs.add(f);
                if (e.hand()) {
                    handMacs.add(f.mac());
                }
            });
        }
        return new Kernel(new Observed.Network(ns, fs, Set.copyOf(handIps), Set.copyOf(handMacs)));
    }

    private static Entry arp(String ip, String mac) {
        return new Entry(Optional.of(Neighbour.permanent(VX, ip(ip), mac(mac))), Optional.empty(), false);
    }

    private static Entry reachable(String ip, String mac) {
        return new Entry(Optional.of(new Neighbour(VX, ip(ip), Optional.of(mac(mac)), Rtm.NUD_REACHABLE, 0)),
                Optional.empty(), false);
    }

    private static Entry v6(String ip, String mac) {
        return new Entry(Optional.of(Neighbour.permanent(VX, Ip.parse(ip), mac(mac))), Optional.empty(), false);
    }

    private static Entry fdb(String mac, String vtep) {
        return new Entry(Optional.empty(), Optional.of(FdbEntry.toVtep(VX, mac(mac), Ip.parse(vtep))), false);
    }

    /** What the kernel learned itself: in the device's table, not permanent. */
    private static Entry learned(String mac, String vtep) {
        return new Entry(Optional.empty(), Optional.of(new FdbEntry(VX, mac(mac), Optional.of(Ip.parse(vtep)),
                Optional.empty(), Optional.empty(), Rtm.NUD_REACHABLE, Rtm.NTF_SELF, Optional.empty(), Optional.empty())), false);
    }

    private static Entry externLearned(String mac, String vtep) {
        return new Entry(Optional.empty(), Optional.of(new FdbEntry(VX, mac(mac), Optional.of(Ip.parse(vtep)),
                Optional.empty(), Optional.empty(), FdbEntry.PERMANENT_STATE, Rtm.NTF_SELF | Rtm.NTF_EXT_LEARNED,
                Optional.empty(), Optional.empty())), false);
    }

    /** The bridge's own entry for the port (master, no destination). */
    private static Entry bridgeOwn(String mac) {
        return new Entry(Optional.empty(), Optional.of(new FdbEntry(VX, mac(mac), Optional.empty(), Optional.empty(),
                Optional.empty(), FdbEntry.PERMANENT_STATE, Rtm.NTF_MASTER, Optional.of(3), Optional.empty())), false);
    }

    private static String text(Step s) {
        return switch (s) {
            case Step.PutFdb p -> "fdb+ " + shortMac(p.mac()) + " " + p.vtep().getHostAddress();
            case Step.PutArp p -> "arp+ " + shortIp(p.ip()) + " " + shortMac(p.mac());
            case Step.DelArp d -> "arp- " + shortIp(d.ip());
            case Step.DelFdb d -> "fdb- " + shortMac(d.mac()) + " " + d.vtep().getHostAddress();
            case Step.ForgetInContainers f -> "forget " + shortIp(f.ip());
            case Step.RemoveNetwork r -> "network- " + r.network();
        };
    }

    private static String shortIp(InetAddress ip) {
        return ip.getHostAddress().replace("12.12.12", "");
    }

    private static String shortMac(MacAddress m) {
        return m.toString().replace("02:42:0c:0c:0c", "");
    }
}
