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
}
