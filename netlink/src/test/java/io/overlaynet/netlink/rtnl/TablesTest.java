package io.overlaynet.netlink.rtnl;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.socket.Request;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.netlink.testing.TempNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Addresses, routes, neighbours and FDB entries on the walkthroughs' overlay layout (br0 + vxlan1 in a
 * namespace), each read back with iproute2.
 */
class TablesTest {
    @RegisterExtension
    final TempNamespaces namespaces = new TempNamespaces();
    private String ns;
    private Rtnl rt;
    private int vxlan;

    @BeforeEach
    void overlay() {
        NetNs n = namespaces.create("t");
        ns = n.name().orElseThrow();
        rt = namespaces.rtnl(n);
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).up(true));
        rt.links().add(LinkSpec.of("vxlan1", VxlanSpec.of(42).port(4789).proxy(true).learning(false))
                .master(rt.links().index("br0")).up(true));
        vxlan = rt.links().index("vxlan1");
    }

    private static InetAddress ip(String s) {
        return Ip.parse(s);
    }

    @Test
    void addressesV4AndV6() {
        rt.addresses().add("br0", IpPrefix.parse("12.12.12.1/24"));
        rt.addresses().add("br0", IpPrefix.parse("fd00:12::1/64"));
        JsonNode j = Sh.ipJson(ns, "addr", "show", "dev", "br0").get(0).get("addr_info");
        Set<String> theirs = j.valueStream().map(a -> a.get("local").asText() + "/" + a.get("prefixlen").asInt())
                .collect(Collectors.toSet());
        assertTrue(theirs.contains("12.12.12.1/24"), theirs.toString());
        assertTrue(theirs.contains("fd00:12::1/64"), theirs.toString());
        assertEquals("12.12.12.255", j.valueStream().filter(a -> a.get("family").asText().equals("inet"))
                .findFirst().orElseThrow().get("broadcast").asText());
        assertTrue(rt.addresses().list("br0").stream().anyMatch(a -> a.prefix().equals(IpPrefix.parse("12.12.12.1/24"))));

        assertThrows(NetlinkException.Exists.class, () -> rt.addresses().add("br0", IpPrefix.parse("12.12.12.1/24")));
        rt.addresses().replace("br0", IpPrefix.parse("12.12.12.1/24"));
        rt.addresses().delete("br0", IpPrefix.parse("12.12.12.1/24"));
        assertFalse(Sh.run("ip", "-n", ns, "addr", "show", "dev", "br0").ok().out().contains("12.12.12.1/24"));
    }

    @Test
    void routesDefaultViaGatewayAndOnlink() {
        rt.addresses().add("br0", IpPrefix.parse("12.12.12.2/24"));
        int br = rt.links().index("br0");
        rt.routes().add(Route.defaultVia(ip("12.12.12.1"), br));
        rt.routes().add(Route.via(IpPrefix.parse("10.99.0.0/16"), ip("7.7.7.1"), java.util.Optional.of(br)).withOnlink());
        JsonNode routes = Sh.ipJson(ns, "route", "show");
        JsonNode def = routes.valueStream().filter(r -> r.get("dst").asText().equals("default")).findFirst().orElseThrow();
        assertEquals("12.12.12.1", def.get("gateway").asText());
        assertEquals("br0", def.get("dev").asText());
        JsonNode onlink = routes.valueStream().filter(r -> r.get("dst").asText().equals("10.99.0.0/16"))
                .findFirst().orElseThrow();
        assertTrue(onlink.get("flags").valueStream().anyMatch(f -> f.asText().equals("onlink")));

        assertTrue(rt.routes().list(Rtm.AF_INET).stream().anyMatch(r -> r.isDefault()
                && r.gateway().orElseThrow().equals(ip("12.12.12.1"))));
        rt.routes().replace(Route.defaultVia(ip("12.12.12.3"), br));
        assertEquals("12.12.12.3", Sh.ipJson(ns, "route", "show", "default").get(0).get("gateway").asText());
        rt.routes().delete(Route.defaultVia(ip("12.12.12.3"), br));
        assertEquals(0, Sh.ipJson(ns, "route", "show", "default").size());
    }

    @Test
    void advmssReplacesTheAddressRouteInPlace() {
        IpPrefix addr = IpPrefix.parse("12.12.12.2/24");
        rt.addresses().add("br0", addr);
        int br = rt.links().index("br0");
        rt.routes().replace(Route.ofAddress(addr, br).withAdvmss(1404));
        rt.routes().add(Route.defaultVia(ip("12.12.12.1"), br).withAdvmss(1404));
        JsonNode routes = Sh.ipJson(ns, "route", "show");
        assertEquals(2, routes.size(), routes.toString());
        for (JsonNode r : routes) {
            assertEquals(1404, r.path("metrics").path(0).path("advmss").asInt(), r.toString());
        }
        // Still the kernel's own route (one, not a second beside it): an address delete takes it along.
        JsonNode subnet = routes.valueStream().filter(r -> r.get("dst").asText().equals("12.12.12.0/24"))
                .findFirst().orElseThrow();
        assertEquals("kernel", subnet.get("protocol").asText());
        assertEquals("12.12.12.2", subnet.get("prefsrc").asText());
        assertEquals(Optional.of(1404), rt.routes().list(Rtm.AF_INET).stream()
                .filter(r -> !r.isDefault()).findFirst().orElseThrow().advmss());
        rt.addresses().delete("br0", addr);
        assertEquals(0, Sh.ipJson(ns, "route", "show").size());
    }

    @Test
    void congestionControlRidesOnTheRouteWithAdvmss() {
        IpPrefix addr = IpPrefix.parse("12.12.12.2/24");
        rt.addresses().add("br0", addr);
        int br = rt.links().index("br0");
        rt.routes().replace(Route.ofAddress(addr, br).withAdvmss(1404).withCongestionControl("cubic"));
        JsonNode r = Sh.ipJson(ns, "route", "show", "12.12.12.0/24").get(0);
        String metrics = r.path("metrics").toString();
        assertTrue(metrics.contains("\"congestion\":\"cubic\"") && metrics.contains("\"advmss\":1404"), r.toString());
        Route back = rt.routes().list(Rtm.AF_INET).stream().filter(x -> !x.isDefault()).findFirst().orElseThrow();
        assertEquals(Optional.of("cubic"), back.congestionControl());
        assertEquals(Optional.of(1404), back.advmss());
        // Replaced without it, the route is the kernel's plain one again.
        rt.routes().replace(Route.ofAddress(addr, br));
        assertTrue(Sh.ipJson(ns, "route", "show", "12.12.12.0/24").get(0).path("metrics").isMissingNode());
        assertThrows(IllegalArgumentException.class, () -> Route.ofAddress(addr, br).withCongestionControl("cu bic"));
    }

    @Test
    void neighboursPermanentAndOtherStates() {
        MacAddress mac = MacAddress.parse("02:42:0c:0c:0c:03");
        rt.neighbours().add(Neighbour.permanent(vxlan, ip("12.12.12.3"), mac));
        rt.neighbours().add(new Neighbour(vxlan, ip("12.12.12.4"), java.util.Optional.of(
                MacAddress.parse("02:42:0c:0c:0c:04")), Rtm.NUD_REACHABLE, 0));
        JsonNode j = Sh.ipJson(ns, "neigh", "show", "dev", "vxlan1");
        JsonNode n3 = find(j, "dst", "12.12.12.3");
        assertEquals("02:42:0c:0c:0c:03", n3.get("lladdr").asText());
        assertEquals("PERMANENT", n3.get("state").get(0).asText());
        assertEquals("REACHABLE", find(j, "dst", "12.12.12.4").get("state").get(0).asText());

        assertThrows(NetlinkException.Exists.class, () -> rt.neighbours().add(Neighbour.permanent(vxlan,
                ip("12.12.12.3"), mac)));
        rt.neighbours().replace(Neighbour.permanent(vxlan, ip("12.12.12.3"), MacAddress.parse("02:42:0c:0c:0c:33")));
        assertEquals("02:42:0c:0c:0c:33",
                find(Sh.ipJson(ns, "neigh", "show", "dev", "vxlan1"), "dst", "12.12.12.3").get("lladdr").asText());
        // Our list is everything, like 'ip neigh show nud all' (plain 'ip neigh' hides NOARP entries).
        assertEquals(Sh.ipJson(ns, "neigh", "show", "dev", "vxlan1", "nud", "all").size(),
                rt.neighbours().list(vxlan).size());
        assertEquals(2, rt.neighbours().list(vxlan).stream().filter(x -> x.ip().getAddress().length == 4).count());
        rt.neighbours().delete(vxlan, ip("12.12.12.3"));
        assertThrows(NetlinkException.NotFound.class, () -> rt.neighbours().delete(vxlan, ip("12.12.12.3")));
    }

    @Test
    void fdbAddReplaceAppendDelete() {
        MacAddress mac = MacAddress.parse("02:42:0c:0c:0c:03");
        rt.fdb().add(FdbEntry.toVtep(vxlan, mac, ip("192.168.104.3")).vni(42).port(4789));
        JsonNode e = fdbEntry("02:42:0c:0c:0c:03");
        assertEquals("192.168.104.3", e.get("dst").asText());
        assertEquals("permanent", e.get("state").asText());
        assertTrue(e.get("flags").valueStream().anyMatch(f -> f.asText().equals("self")));

        rt.fdb().replace(FdbEntry.toVtep(vxlan, mac, ip("192.168.104.4")));
        assertEquals("192.168.104.4", fdbEntry("02:42:0c:0c:0c:03").get("dst").asText());

        // Head-end replication: the all-zeros MAC with one destination per remote VTEP.
        rt.fdb().append(FdbEntry.toVtep(vxlan, MacAddress.ZERO, ip("192.168.104.3")));
        rt.fdb().append(FdbEntry.toVtep(vxlan, MacAddress.ZERO, ip("192.168.104.4")));
        Set<String> flood = Sh.fdbJson(ns, "dev", "vxlan1").valueStream()
                .filter(x -> x.get("mac").asText().equals("00:00:00:00:00:00"))
                .map(x -> x.get("dst").asText()).collect(Collectors.toSet());
        assertEquals(Set.of("192.168.104.3", "192.168.104.4"), flood);
        assertEquals(2, rt.fdb().list(vxlan).stream().filter(x -> x.mac().isZero()).count());

        rt.fdb().delete(FdbEntry.toVtep(vxlan, MacAddress.ZERO, ip("192.168.104.3")));
        assertEquals(1, rt.fdb().list(vxlan).stream().filter(x -> x.mac().isZero()).count());
        rt.fdb().delete(FdbEntry.toVtep(vxlan, mac, ip("192.168.104.4")));
        assertTrue(rt.fdb().list(vxlan).stream().noneMatch(x -> x.mac().equals(mac)));
    }

    @Test
    void pipelinedBatchMatchesAcksAndReportsEachFailure() {
        List<Request> reqs = new ArrayList<>();
        int n = 3000;
        for (int i = 0; i < n; i++) {
            MacAddress mac = new MacAddress(0x0242_0a00_0000L + i);
            reqs.add(rt.fdb().addRequest(FdbEntry.toVtep(vxlan, mac, ip("192.168.104.3"))));
            reqs.add(rt.neighbours().addRequest(Neighbour.permanent(vxlan, IpPrefix.parse("10.0.0.0/8")
                    .addressAt(i + 1), mac)));
        }
        // Two duplicates: both must fail with EEXIST, at their own positions, and nothing else.
        reqs.add(1000, reqs.get(10));
        reqs.add(reqs.get(11));
        BatchResult r = rt.batch(reqs);
        assertEquals(2, r.failures().size(), r.failures().toString());
        assertEquals(1000, r.failures().get(0).index());
        assertTrue(r.failures().get(0).error() instanceof NetlinkException.Exists);
        assertEquals(reqs.size() - 1, r.failures().get(1).index());
        assertEquals(n, Sh.fdbJson(ns, "dev", "vxlan1").valueStream()
                .filter(x -> x.get("mac").asText().startsWith("02:42:0a")).count());
        assertEquals(n, Sh.ipJson(ns, "neigh", "show", "dev", "vxlan1").size());
        assertEquals(n, rt.neighbours().list(vxlan).stream().filter(Neighbour::isPermanent).count());
    }

    private JsonNode fdbEntry(String mac) {
        return find(Sh.fdbJson(ns, "dev", "vxlan1"), "mac", mac);
    }

    private static JsonNode find(JsonNode array, String key, String value) {
        return array.valueStream().filter(x -> x.path(key).asText().equals(value)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry with " + key + "=" + value + " in " + array));
    }
}
