package io.overlaynet.netlink.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.socket.Request;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.netlink.testing.TempNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nf_tables transactions in a throwaway namespace, read back with {@code nft -j list ruleset} (Debian's nftables). */
class NftTest {
    @RegisterExtension
    final TempNamespaces namespaces = new TempNamespaces();

    private static List<Request> masqueradeTable(String subnet, String dev) {
        return List.of(Nft.addTable(Nft.FAMILY_IP, "ovt"), Nft.deleteTable(Nft.FAMILY_IP, "ovt"),
                Nft.addTable(Nft.FAMILY_IP, "ovt"),
                Nft.addBaseChain(Nft.FAMILY_IP, "ovt", "postrouting", "nat", Nft.HOOK_POSTROUTING, Nft.PRIORITY_SRCNAT),
                Nft.addRule(Nft.FAMILY_IP, "ovt", "postrouting", EgressRules.masquerade(IpPrefix.parse(subnet), dev)));
    }

    private static List<JsonNode> objects(String ns, String kind) throws Exception {
        Sh.Result r = Sh.run("ip", "netns", "exec", ns, "nft", "-j", "list", "ruleset");
        JsonNode all = new ObjectMapper().readTree(r.out()).path("nftables");
        List<JsonNode> out = new ArrayList<>();
        all.forEach(o -> {
            if (o.has(kind)) {
                out.add(o.get(kind));
            }
        });
        return out;
    }

    @Test
    void aMasqueradeRuleReadsBackAsNftWroteIt() throws Exception {
        String name = namespaces.track("nft");
        try (NetNs ns = namespaces.create("nft"); Nft nft = Nft.open(ns)) {
            nft.apply((masqueradeTable("12.12.0.0/16", "oe-demo")));
            JsonNode chain = objects(name, "chain").getFirst();
            assertEquals("nat", chain.path("type").asText());
            assertEquals("postrouting", chain.path("hook").asText());
            assertEquals(100, chain.path("prio").asInt());
            assertEquals("accept", chain.path("policy").asText());
            List<JsonNode> rules = objects(name, "rule");
            assertEquals(1, rules.size());
            JsonNode expr = rules.getFirst().path("expr");
            assertEquals("saddr", expr.get(0).path("match").path("left").path("payload").path("field").asText(), expr.toString());
            assertEquals("12.12.0.0", expr.get(0).path("match").path("right").path("prefix").path("addr").asText());
            assertEquals(16, expr.get(0).path("match").path("right").path("prefix").path("len").asInt());
            assertEquals("!=", expr.get(1).path("match").path("op").asText(), expr.toString());
            assertEquals("oifname", expr.get(1).path("match").path("left").path("meta").path("key").asText());
            assertEquals("oe-demo", expr.get(1).path("match").path("right").asText());
            assertTrue(expr.get(2).has("masquerade"), expr.toString());

            // The add-delete-add idiom replaces the table whole: applied again, still one rule.
            nft.apply((masqueradeTable("10.20.30.0/24", "oe-blue")));
            rules = objects(name, "rule");
            assertEquals(1, rules.size());
            assertEquals("10.20.30.0", rules.getFirst().path("expr").get(0).path("match").path("right").path("prefix")
                    .path("addr").asText());
        }
    }

    @Test
    void aPublishedPortReadsBackAsADnatRule() throws Exception {
        String name = namespaces.track("nfp");
        try (NetNs ns = namespaces.create("nfp"); Nft nft = Nft.open(ns)) {
            nft.apply(List.of(Nft.addTable(Nft.FAMILY_IP, "ovt"),
                    Nft.addBaseChain(Nft.FAMILY_IP, "ovt", "prerouting", "nat", Nft.HOOK_PREROUTING, Nft.PRIORITY_DSTNAT),
                    Nft.addRule(Nft.FAMILY_IP, "ovt", "prerouting", EgressRules.publish(
                            java.net.InetAddress.getByName("192.168.104.2"), 6, 8080,
                            java.net.InetAddress.getByName("12.12.12.5"), 80))));
            String rules = Sh.run("ip", "netns", "exec", name, "nft", "list", "ruleset").out();
            assertTrue(rules.contains("ip daddr 192.168.104.2") && rules.contains("dport 8080")
                    && rules.contains("dnat to 12.12.12.5:80"), rules);
        }
    }

    @Test
    void aRefusedTransactionChangesNothingAndSaysWhy() throws Exception {
        String name = namespaces.track("nfb");
        try (NetNs ns = namespaces.create("nfb"); Nft nft = Nft.open(ns)) {
            NetlinkException e = assertThrows(NetlinkException.class, () -> nft.apply(List.of(
                    Nft.addTable(Nft.FAMILY_IP, "ovt"),
                    Nft.addRule(Nft.FAMILY_IP, "ovt", "nosuchchain", EgressRules.masquerade(IpPrefix.parse("10.0.0.0/8"), "x")))));
            assertTrue(e.getMessage().startsWith("nft add rule ovt nosuchchain"), e.getMessage());
            assertTrue(objects(name, "table").isEmpty(), "the table of the same transaction was not made either");
        }
    }

    /**
     * The VTEP allow-list's building blocks: a set of addresses, a rule that drops VXLAN datagrams from
     * senders outside it and counts them, and element changes in later transactions. Datagrams from a
     * member arrive, from a non-member they do not; the counter and {@code nft -j list ruleset} agree.
     */
    @Test
    void anAddressSetGatesVxlanDatagramsAndCountsTheDropped() throws Exception {
        String srv = namespaces.track("vs");
        String cli = namespaces.track("vc");
        Sh.run("ip", "netns", "add", srv).ok();
        Sh.run("ip", "netns", "add", cli).ok();
        Sh.run("ip", "-n", srv, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", cli).ok();
        Sh.run("ip", "-n", srv, "addr", "add", "10.77.0.1/24", "dev", "v0").ok();
        Sh.run("ip", "-n", srv, "link", "set", "v0", "up").ok();
        Sh.run("ip", "-n", cli, "addr", "add", "10.77.0.2/24", "dev", "v1").ok();
        Sh.run("ip", "-n", cli, "addr", "add", "10.77.0.3/24", "dev", "v1").ok();
        Sh.run("ip", "-n", cli, "link", "set", "v1", "up").ok();
        java.net.Inet4Address member = (java.net.Inet4Address) java.net.InetAddress.getByName("10.77.0.2");
        java.net.Inet4Address stranger = (java.net.Inet4Address) java.net.InetAddress.getByName("10.77.0.3");
        try (NetNs s = NetNs.named(srv); NetNs c = NetNs.named(cli); Nft nft = Nft.open(s)) {
            nft.apply(List.of(Nft.addTable(Nft.FAMILY_IP, "ovv"), Nft.addAddressSet(Nft.FAMILY_IP, "ovv", "vteps"),
                    Nft.addElements(Nft.FAMILY_IP, "ovv", "vteps", List.of(member)),
                    Nft.addBaseChain(Nft.FAMILY_IP, "ovv", "vxlan", "filter", Nft.HOOK_PREROUTING, -300),
                    Nft.addRule(Nft.FAMILY_IP, "ovv", "vxlan", VxlanRules.dropUnlessFrom(4789, 42, List.of("vteps")))));
            try (java.nio.channels.DatagramChannel rx = s.call(() -> java.nio.channels.DatagramChannel.open()
                    .bind(new java.net.InetSocketAddress("10.77.0.1", 4789)))) {
                rx.configureBlocking(false);
                assertEquals(0, send(c, stranger, 40, rx), "a stranger's datagrams are dropped");
                assertEquals(25, send(c, member, 25, rx), "a member's arrive");
                assertEquals(List.of(40L), nft.counters(Nft.FAMILY_IP, "ovv", "vxlan"));
                // Membership changes in later transactions: the stranger joins, the member leaves.
                nft.apply(List.of(Nft.addElements(Nft.FAMILY_IP, "ovv", "vteps", List.of(stranger)),
                        Nft.deleteElements(Nft.FAMILY_IP, "ovv", "vteps", List.of(member))));
                assertEquals(10, send(c, stranger, 10, rx));
                assertEquals(0, send(c, member, 10, rx));
                assertEquals(List.of(50L), nft.counters(Nft.FAMILY_IP, "ovv", "vxlan"));
                String listed = Sh.run("ip", "netns", "exec", srv, "nft", "list", "chain", "ip", "ovv", "vxlan").out();
                assertTrue(listed.contains("udp dport 4789 @th,96,24 0x2a ip saddr != @vteps counter packets 50"), listed);
                assertTrue(listed.contains("drop"), listed);
                assertEquals(java.util.Set.of(stranger), nft.elements(Nft.FAMILY_IP, "ovv", "vteps"));
                // Another network's VNI is not this rule's: the member's datagrams for VNI 43 pass.
                assertEquals(10, send(c, member, 10, rx, 43));
                // A user's socket in the namespace cannot send to the VXLAN port once the output rule is in.
                nft.apply(List.of(Nft.addBaseChain(Nft.FAMILY_IP, "ovv", "out", "filter", Nft.HOOK_OUTPUT, -300),
                        Nft.addRule(Nft.FAMILY_IP, "ovv", "out", VxlanRules.dropFromUserSockets(4789))));
                String refused = s.call(() -> {
                    try (java.nio.channels.DatagramChannel tx = java.nio.channels.DatagramChannel.open()) {
                        tx.send(java.nio.ByteBuffer.wrap(new byte[8]), new java.net.InetSocketAddress("10.77.0.2", 4789));
                        return "sent";
                    } catch (java.io.IOException e) {
                        return e.getMessage();
                    }
                });
                assertEquals("Operation not permitted", refused, "a dropped datagram is refused to its sender");
                assertEquals(List.of(1L), nft.counters(Nft.FAMILY_IP, "ovv", "out"));
                // A flushed chain keeps nothing: the member is gone from the set, yet its datagrams arrive.
                nft.apply(List.of(Nft.flushChain(Nft.FAMILY_IP, "ovv", "vxlan")));
                assertEquals(5, send(c, member, 5, rx));
                assertEquals(List.of(), nft.counters(Nft.FAMILY_IP, "ovv", "vxlan"));
            }
        }
        JsonNode set = objects(srv, "set").getFirst();
        assertEquals("ipv4_addr", set.path("type").asText());
        assertEquals("[\"10.77.0.3\"]", set.path("elem").toString());
    }

    /** Sends {@code n} datagrams from {@code from} in namespace {@code c}; returns how many arrived. */
    private static int send(NetNs c, java.net.Inet4Address from, int n, java.nio.channels.DatagramChannel rx) throws Exception {
        return send(c, from, n, rx, 42);
    }

    /** The same, the datagrams carrying VXLAN network identifier {@code vni}. */
    private static int send(NetNs c, java.net.Inet4Address from, int n, java.nio.channels.DatagramChannel rx, int vni)
            throws Exception {
        c.call(() -> {
            try (java.nio.channels.DatagramChannel tx = java.nio.channels.DatagramChannel.open()
                    .bind(new java.net.InetSocketAddress(from, 0))) {
                for (int i = 0; i < n; i++) {
                    tx.send(java.nio.ByteBuffer.wrap(new byte[]{8, 0, 0, 0, (byte) (vni >> 16), (byte) (vni >> 8), (byte) vni, 0}),
                            new java.net.InetSocketAddress("10.77.0.1", 4789));
                }
            }
            return null;
        });
        Thread.sleep(200);
        int got = 0;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
        while (rx.receive(buf.clear()) != null) {
            got++;
        }
        return got;
    }
}
