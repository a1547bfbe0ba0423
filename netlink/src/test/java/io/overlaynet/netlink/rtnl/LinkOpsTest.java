package io.overlaynet.netlink.rtnl;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.netlink.testing.TempNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ip link} operations against the real kernel, read back with {@code ip -d -j link show}. */
class LinkOpsTest {
    @RegisterExtension
    final TempNamespaces namespaces = new TempNamespaces();

    private static JsonNode link(String ns, String dev) {
        return Sh.ipJson(ns, "link", "show", "dev", dev).get(0);
    }

    @Test
    void bridgeAddSetAndDelete() {
        NetNs ns = namespaces.create("a");
        String n = ns.name().orElseThrow();
        Rtnl rt = namespaces.rtnl(ns);
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).mtu(1450).alias("overlaynet test"));
        rt.links().setUp("br0");
        rt.links().setMac("br0", MacAddress.parse("02:42:0c:0c:0c:01"));

        JsonNode j = link(n, "br0");
        assertEquals("bridge", j.at("/linkinfo/info_kind").asText());
        assertEquals(1450, j.get("mtu").asInt());
        assertEquals("02:42:0c:0c:0c:01", j.get("address").asText());
        assertEquals("overlaynet test", j.get("ifalias").asText());
        assertTrue(containsText(j.get("flags"), "UP"));

        Link l = rt.links().get("br0");
        assertEquals(j.get("ifindex").asInt(), l.index());
        assertEquals("bridge", l.kind().orElseThrow());
        assertTrue(l.isUp());

        rt.links().setDown("br0");
        assertFalse(containsText(link(n, "br0").get("flags"), "UP"));
        rt.links().rename("br0", "br1");
        assertEquals("br1", link(n, "br1").get("ifname").asText());
        rt.links().delete("br1");
        assertTrue(rt.links().find("br1").isEmpty());
        assertFalse(rt.links().deleteIfExists("br1"));
    }

    @Test
    void vethPeerCreatedDirectlyInAnotherNamespace() {
        NetNs host = namespaces.create("host");
        NetNs ctr = namespaces.create("ctr");
        Rtnl rt = namespaces.rtnl(host);
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT));
        int br = rt.links().index("br0");
        MacAddress mac = MacAddress.parse("02:42:0c:0c:0c:02");
        var made = rt.batch(List.of(rt.links().addRequest(LinkSpec.of("veth0", LinkKind.Veth.peer("eth0").in(ctr)
                .mac(mac).mtu(1450)).mtu(1450).master(br).up(true).queues(1)).echo()));
        made.throwIfFailed();
        // The echoed copy of our end names the peer's index in the other namespace.
        assertEquals(link(ctr.name().orElseThrow(), "eth0").get("ifindex").asInt(),
                LinkOps.echoed(made, "veth0").orElseThrow().peerIndex().orElseThrow());

        JsonNode hostEnd = link(host.name().orElseThrow(), "veth0");
        assertEquals(1, hostEnd.get("num_tx_queues").asInt());
        assertEquals(1, hostEnd.get("num_rx_queues").asInt());
        assertEquals(1, link(ctr.name().orElseThrow(), "eth0").get("num_rx_queues").asInt());
        assertEquals("veth", hostEnd.at("/linkinfo/info_kind").asText());
        assertEquals("br0", hostEnd.get("master").asText());
        JsonNode ctrEnd = link(ctr.name().orElseThrow(), "eth0");
        assertEquals("02:42:0c:0c:0c:02", ctrEnd.get("address").asText());
        assertEquals(1450, ctrEnd.get("mtu").asInt());

        Rtnl inCtr = namespaces.rtnl(ctr);
        assertEquals("eui64", link(ctr.name().orElseThrow(), "eth0").get("inet6_addr_gen_mode").asText());
        inCtr.batch(List.of(inCtr.links().addrGenModeNoneRequest("eth0"))).throwIfFailed();
        assertEquals("none", link(ctr.name().orElseThrow(), "eth0").get("inet6_addr_gen_mode").asText());
        inCtr.links().setUp("eth0");
        inCtr.links().setMtu("eth0", 1400);
        assertEquals(1400, link(ctr.name().orElseThrow(), "eth0").get("mtu").asInt());

        rt.links().setNoMaster("veth0");
        assertTrue(link(host.name().orElseThrow(), "veth0").path("master").isMissingNode());
        rt.links().setMaster("veth0", "br0");
        assertEquals(br, rt.links().get("veth0").master());
    }

    @Test
    void macvlanChildMadeDirectlyInAnotherNamespace() {
        NetNs host = namespaces.create("mvh");
        NetNs ctr = namespaces.create("mvc");
        Rtnl rt = namespaces.rtnl(host);
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).mtu(1450).up(true));
        int lower = rt.links().index("br0");
        MacAddress mac = MacAddress.parse("02:42:0c:0c:0c:07");
        rt.links().add(LinkSpec.of("eth0", new LinkKind.Macvlan(lower)).in(ctr).mac(mac).mtu(1450));

        JsonNode j = link(ctr.name().orElseThrow(), "eth0");
        assertEquals("macvlan", j.at("/linkinfo/info_kind").asText());
        assertEquals("bridge", j.at("/linkinfo/info_data/mode").asText());
        assertEquals("02:42:0c:0c:0c:07", j.get("address").asText());
        assertEquals(1450, j.get("mtu").asInt());
        assertTrue(rt.links().find("eth0").isEmpty(), "the child is made in the other namespace only");
        assertEquals("macvlan", namespaces.rtnl(ctr).links().get("eth0").kind().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> new LinkKind.Macvlan(0));
    }

    @Test
    void vxlanWithTheWalkthroughOptionsReadsBackIdentically() {
        NetNs ns = namespaces.create("vx");
        String n = ns.name().orElseThrow();
        Rtnl rt = namespaces.rtnl(ns);
        rt.links().add(LinkSpec.of("vxlan1", VxlanSpec.of(42).port(4789).proxy(true).learning(true)));
        rt.links().add(LinkSpec.of("vxlan2", VxlanSpec.of(43).port(4789).learning(false).l2miss(true)
                .l3miss(true).ttl(64).ageing(120).udpCsum(true)));

        JsonNode v1 = link(n, "vxlan1").at("/linkinfo/info_data");
        assertEquals(42, v1.get("id").asInt());
        assertEquals(4789, v1.get("port").asInt());
        assertTrue(v1.get("proxy").asBoolean());
        assertTrue(v1.get("learning").asBoolean());
        assertFalse(v1.path("l2miss").asBoolean(false));

        JsonNode v2 = link(n, "vxlan2").at("/linkinfo/info_data");
        assertEquals(43, v2.get("id").asInt());
        assertFalse(v2.get("learning").asBoolean());
        assertTrue(v2.get("l2miss").asBoolean());
        assertTrue(v2.get("l3miss").asBoolean());
        assertEquals(64, v2.get("ttl").asInt());
        assertEquals(120, v2.get("ageing").asInt());
        assertTrue(v2.get("udp_csum").asBoolean());

        VxlanSpec read = rt.links().get("vxlan2").vxlan().orElseThrow();
        assertEquals(43, read.vni());
        assertEquals(4789, read.port().orElseThrow());
        assertEquals(false, read.learning().orElseThrow());
        assertTrue(read.l2miss() && read.l3miss() && !read.proxy());
    }

    @Test
    void vxlanMadeInIpNetnsAddNamespaceAndMovedIn() {
        String hostName = namespaces.track("iphost");
        Sh.run("ip", "netns", "add", hostName).ok();
        NetNs host = NetNs.named(hostName);
        NetNs overlay = namespaces.create("ovl");
        try (host) {
            Rtnl rt = namespaces.rtnl(host);
            rt.links().addAndMove(LinkSpec.of("vxlan1", VxlanSpec.of(42).port(4789).proxy(true).learning(true)),
                    overlay);
            assertTrue(rt.links().find("vxlan1").isEmpty());
            assertEquals(42, link(overlay.name().orElseThrow(), "vxlan1").at("/linkinfo/info_data/id").asInt());
        }
    }

    @Test
    void failedMoveLeavesNothingBehind() {
        NetNs host = namespaces.create("h");
        NetNs overlay = namespaces.create("o");
        namespaces.rtnl(overlay).links().add(LinkSpec.of("vxlan1", LinkKind.Bridge.DEFAULT));
        Rtnl rt = namespaces.rtnl(host);
        NetlinkException e = assertThrows(NetlinkException.class, () -> rt.links().addAndMove(
                LinkSpec.of("vxlan1", VxlanSpec.of(42).port(4789)), overlay));
        assertTrue(e.getMessage().contains("vxlan1"), e.getMessage());
        assertTrue(rt.links().find("vxlan1").isEmpty(), "the half-made vxlan1 must be removed");
        assertEquals(0, Sh.ipJson(host.name().orElseThrow(), "link", "show", "type", "vxlan").size());
    }

    @Test
    void listMatchesIproute2() {
        NetNs ns = namespaces.create("l");
        Rtnl rt = namespaces.rtnl(ns);
        rt.links().add(LinkSpec.of("br1", LinkKind.Bridge.DEFAULT));
        rt.links().add(LinkSpec.of("v0", LinkKind.Veth.peer("v1")));
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT));
        List<String> ours = rt.links().list().stream().map(Link::name).sorted().toList();
        List<String> theirs = Sh.ipJson(ns.name().orElseThrow(), "link", "show").valueStream()
                .map(x -> x.get("ifname").asText()).sorted().toList();
        assertEquals(theirs, ours);
    }

    private static boolean containsText(JsonNode array, String text) {
        return array.valueStream().anyMatch(x -> x.asText().equals(text));
    }
}
