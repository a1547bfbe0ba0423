package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.Container;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.state.LocalState;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listing and removal commands from the command line, on one host of a two-host lab, with iproute2
 * as the oracle: {@code network inspect}, {@code endpoint ls|rm}, {@code peer add|ls|rm},
 * {@code show arp|fdb} and {@code lab down}.
 */
class ListingsCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void listingsMatchTheKernelAndRemovalsTakeExactlyTheirEntries() {
        LabRecord lab = fixture.up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        List<String> on = fixture.actAs(h1, h1.nsPrefix());
        String ovl = h1.overlayNamespace();

        JsonNode net = json(run(on, 0, "network", "inspect", "demo", "-o", "json"));
        assertEquals(42, net.path("vni").asInt(), net.toString());
        assertEquals(1450, net.path("mtu").asInt(), net.toString());
        assertEquals(h1.address(), net.path("vtep").asText(), net.toString());
        assertEquals(ovl, net.path("overlayNamespace").asText(), net.toString());

        // endpoint ls: the lab's containers on this host, each as the kernel has it.
        JsonNode eps = json(run(on, 0, "endpoint", "ls", "-o", "json"));
        assertEquals(set(h1.containers(), c -> c.name() + " " + c.ip() + " " + c.mac() + " " + c.namespace()),
                set(eps, e -> e.path("name").asText() + " " + e.path("ip").asText() + " "
                        + e.path("mac").asText() + " " + e.path("namespace").asText()));
        for (JsonNode e : eps) {
            JsonNode eth0 = Sh.ipJson(e.path("namespace").asText(), "addr", "show", "eth0").get(0);
            assertEquals(e.path("mac").asText(), eth0.path("address").asText());
            assertEquals(e.path("ip").asText(), eth0.at("/addr_info/0/local").asText());
        }
        assertTrue(run(on, 0, "endpoint", "ls").out().startsWith("NETWORK  NAME"), "text has a header");

        // peer ls and show arp|fdb: the other host's containers, as the kernel has them.
        Set<String> remote = set(h2.containers(), c -> c.ip() + " " + c.mac() + " " + h2.address());
        assertEquals(remote, set(json(run(on, 0, "peer", "ls", "-o", "json")),
                p -> p.path("ip").asText() + " " + p.path("mac").asText() + " " + p.path("vtep").asText()));
        assertArpAndFdbMatchTheKernel(on, ovl);

        // A peer added by hand shows up everywhere; removing it takes its ARP and FDB entries, nothing else.
        run(on, 0, "peer", "add", "demo", "--ip", "12.12.12.200", "--vtep", h2.address());
        assertEquals(remote.size() + 1, json(run(on, 0, "peer", "ls", "--network", "demo", "-o", "json")).size());
        assertTrue(kernelArp(ovl).contains("12.12.12.200 02:42:0c:0c:0c:c8"), kernelArp(ovl).toString());
        assertArpAndFdbMatchTheKernel(on, ovl);
        run(on, 0, "peer", "rm", "demo", "--ip", "12.12.12.200");
        assertEquals(remote, set(json(run(on, 0, "peer", "ls", "-o", "json")),
                p -> p.path("ip").asText() + " " + p.path("mac").asText() + " " + p.path("vtep").asText()));
        assertEquals(set(h2.containers(), c -> c.ip() + " " + c.mac()), kernelArp(ovl));
        assertEquals(set(h2.containers(), c -> c.mac() + " " + h2.address()), kernelFdb(ovl));
        assertTrue(run(on, 0, "peer", "rm", "demo", "--ip", "12.12.12.200").out().contains("not present"));

        // endpoint rm: the namespace and the bridge-side veth go; a second rm is a no-op.
        Container pink = h1.containers().getFirst();
        String hostVeth = eps.get(0).path("hostVeth").asText();
        run(on, 0, "endpoint", "rm", "demo", pink.name());
        assertFalse(NetNamespaces.exists(pink.namespace()));
        assertFalse(set(Sh.ipJson(ovl, "link"), l -> l.path("ifname").asText()).contains(hostVeth));
        assertEquals(0, json(run(on, 0, "endpoint", "ls", "-o", "json")).size());
        assertTrue(run(on, 0, "endpoint", "rm", "demo", pink.name()).out().contains("not present"));

        // A network that is not there: one line, exit 2.
        for (String[] cmd : List.of(new String[]{"network", "inspect", "nosuch"},
                new String[]{"show", "arp", "--network", "nosuch"}, new String[]{"peer", "ls", "--network", "nosuch"},
                new String[]{"endpoint", "ls", "--network", "nosuch"})) {
            Cli.Run r = run(on, 2, cmd);
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("network nosuch does not exist"), r.err());
        }

        // lab down from the command line: every namespace of the lab goes; again, it says so and exits 0.
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        run(where, 0, "lab", "down", "--prefix", fixture.prefix);
        assertEquals(List.of(), NetNamespaces.list().stream().filter(n -> n.startsWith(fixture.prefix)).toList());
        assertTrue(run(where, 0, "lab", "down", "--prefix", fixture.prefix).out().contains("not present"));
    }

    private static void assertArpAndFdbMatchTheKernel(List<String> on, String ovl) {
        assertEquals(kernelArp(ovl), set(json(run(on, 0, "show", "arp", "-o", "json")),
                n -> n.path("dst").asText() + " " + n.path("lladdr").asText()));
        JsonNode fdb = json(run(on, 0, "show", "fdb", "--network", "demo", "-o", "json"));
        assertEquals(kernelFdb(ovl), set(StreamSupport.stream(fdb.spliterator(), false)
                .filter(f -> f.path("self").asBoolean()).toList(), f -> f.path("mac").asText() + " " + f.path("dst").asText()));
    }

    /** vxlan1's neighbours per iproute2, as "ip mac". */
    private static Set<String> kernelArp(String ovl) {
        return set(Sh.ipJson(ovl, "neigh", "show", "dev", "vxlan1"), n -> n.path("dst").asText() + " " + n.path("lladdr").asText());
    }

    /** vxlan1's own FDB entries (not the bridge's) per iproute2, as "mac dst". */
    private static Set<String> kernelFdb(String ovl) {
        List<JsonNode> self = StreamSupport.stream(Sh.fdbJson(ovl, "dev", "vxlan1").spliterator(), false)
                .filter(f -> f.path("flags").toString().contains("\"self\"")).toList();
        return set(self, f -> f.path("mac").asText() + " " + f.path("dst").asText());
    }

    private static <T> Set<String> set(Iterable<T> items, Function<T, String> key) {
        Set<String> out = new TreeSet<>();
        items.forEach(i -> out.add(key.apply(i)));
        return out;
    }

    private static JsonNode json(Cli.Run r) {
        try {
            return LocalState.JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.out(), e);
        }
    }

    private static Cli.Run run(List<String> before, int exit, String... command) {
        Cli.Run r = Cli.run(before, command);
        assertEquals(exit, r.exit(), String.join(" ", command) + ": " + r.err() + r.out());
        return r;
    }
}
