package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.Container;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
 * {@code show arp|fdb} and {@code lab down}, and what the removals print, as text and as JSON.
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

        JsonNode net = Cli.expect(0, on, "network", "inspect", "demo", "-o", "json").json();
        assertEquals(42, net.path("vni").asInt(), net.toString());
        assertEquals(1450, net.path("mtu").asInt(), net.toString());
        assertEquals(h1.address(), net.path("vtep").asText(), net.toString());
        assertEquals(ovl, net.path("overlayNamespace").asText(), net.toString());

        // endpoint ls: the lab's containers on this host, each as the kernel has it.
        JsonNode eps = Cli.expect(0, on, "endpoint", "ls", "-o", "json").json();
        assertEquals(set(h1.containers(), c -> c.name() + " " + c.ip() + " " + c.mac() + " " + c.namespace()),
                set(eps, e -> e.path("name").asText() + " " + e.path("ip").asText() + " "
                        + e.path("mac").asText() + " " + e.path("namespace").asText()));
        for (JsonNode e : eps) {
            JsonNode eth0 = Sh.ipJson(e.path("namespace").asText(), "addr", "show", "eth0").get(0);
            assertEquals(e.path("mac").asText(), eth0.path("address").asText());
            assertEquals(e.path("ip").asText(), eth0.at("/addr_info/0/local").asText());
        }
        assertTrue(Cli.expect(0, on, "endpoint", "ls").out().startsWith("NETWORK  NAME"), "text has a header");

        // peer ls and show arp|fdb: the other host's containers, as the kernel has them.
        Set<String> remote = set(h2.containers(), c -> c.ip() + " " + c.mac() + " " + h2.address());
        assertEquals(remote, set(Cli.expect(0, on, "peer", "ls", "-o", "json").json(),
                p -> p.path("ip").asText() + " " + p.path("mac").asText() + " " + p.path("vtep").asText()));
        assertArpAndFdbMatchTheKernel(on, ovl);

        // A peer added by hand shows up everywhere; removing it takes its ARP and FDB entries, nothing else.
        Cli.expect(0, on, "peer", "add", "demo", "--ip", "12.12.12.200", "--vtep", h2.address());
        assertEquals(remote.size() + 1, Cli.expect(0, on, "peer", "ls", "--network", "demo", "-o", "json").json().size());
        assertTrue(kernelArp(ovl).contains("12.12.12.200 02:42:0c:0c:0c:c8"), kernelArp(ovl).toString());
        assertArpAndFdbMatchTheKernel(on, ovl);
        Cli.Run wrongVtep = Cli.expect(2, on, "peer", "rm", "demo", "--ip", "12.12.12.200", "--vtep", "192.168.104.77");
        assertTrue(wrongVtep.err().contains("peer 12.12.12.200 is at VTEP " + h2.address() + ", not 192.168.104.77"), wrongVtep.err());
        assertTrue(kernelArp(ovl).contains("12.12.12.200 02:42:0c:0c:0c:c8"), "a refused rm leaves the peer");
        // The same IP again with another MAC: said so, and the old MAC's FDB entry goes.
        Cli.Run moved = Cli.expect(0, on, "peer", "add", "demo", "--ip", "12.12.12.200", "--mac", "02:42:00:00:00:c9",
                "--vtep", h2.address());
        assertTrue(moved.out().contains("(was 02:42:0c:0c:0c:c8 via vtep " + h2.address() + ": replaced)"), moved.out());
        assertTrue(kernelFdb(ovl).stream().noneMatch(f -> f.startsWith("02:42:0c:0c:0c:c8")), kernelFdb(ovl).toString());
        Cli.expect(0, on, "peer", "add", "demo", "--ip", "12.12.12.200", "--vtep", h2.address());
        JsonNode peerRm = Cli.expect(0, on, "peer", "rm", "demo", "--ip", "12.12.12.200", "--vtep", h2.address(), "-o", "json").json();
        assertEquals("[{\"kind\":\"peer\",\"name\":\"12.12.12.200\",\"removed\":true}]", peerRm.toString());
        assertEquals(remote, set(Cli.expect(0, on, "peer", "ls", "-o", "json").json(),
                p -> p.path("ip").asText() + " " + p.path("mac").asText() + " " + p.path("vtep").asText()));
        assertEquals(set(h2.containers(), c -> c.ip() + " " + c.mac()), kernelArp(ovl));
        assertEquals(set(h2.containers(), c -> c.mac() + " " + h2.address()), kernelFdb(ovl));
        assertTrue(Cli.expect(0, on, "peer", "rm", "demo", "--ip", "12.12.12.200").out().contains("not present"));

        // With a second network here, the listings narrow to the one named after the command or by --network.
        Cli.expect(0, on, "network", "create", "other", "--vni", "43", "--subnet", "10.43.0.0/24");
        Cli.expect(0, on, "peer", "add", "other", "--ip", "10.43.0.7", "--vtep", h2.address());
        Function<JsonNode, String> netAndIp = p -> p.path("network").asText() + " " + p.path("ip").asText();
        assertEquals(Set.of("other 10.43.0.7"), set(Cli.expect(0, on, "peer", "ls", "other", "-o", "json").json(), netAndIp));
        assertEquals(set(h2.containers(), c -> "demo " + c.ip()),
                set(Cli.expect(0, on, "peer", "ls", "demo", "-o", "json").json(), netAndIp));
        assertEquals(remote.size() + 1, Cli.expect(0, on, "peer", "ls", "-o", "json").json().size());
        assertEquals(Set.of("other 10.43.0.7"), set(Cli.expect(0, on, "show", "arp", "other", "-o", "json").json(),
                n -> n.path("network").asText() + " " + n.path("dst").asText()));
        assertEquals(0, Cli.expect(0, on, "endpoint", "ls", "other", "-o", "json").json().size());
        assertEquals(h1.containers().size(), Cli.expect(0, on, "endpoint", "ls", "demo", "-o", "json").json().size());
        Cli.Run twoNames = Cli.expect(2, on, "peer", "ls", "demo", "--network", "other");
        assertEquals("overlaynet: two networks given, 'demo' and --network 'other': give one", twoNames.err().strip());
        Cli.expect(0, on, "network", "rm", "other");

        // endpoint rm: the namespace and the bridge-side veth go; a second rm is a no-op.
        Container pink = h1.containers().getFirst();
        String hostVeth = eps.get(0).path("hostVeth").asText();
        assertEquals("endpoint " + pink.name() + " removed", Cli.expect(0, on, "endpoint", "rm", "demo", pink.name()).out().strip());
        assertFalse(NetNamespaces.exists(pink.namespace()));
        assertFalse(set(Sh.ipJson(ovl, "link"), l -> l.path("ifname").asText()).contains(hostVeth));
        assertEquals(0, Cli.expect(0, on, "endpoint", "ls", "-o", "json").json().size());
        assertEquals("endpoint " + pink.name() + ": not present", Cli.expect(0, on, "endpoint", "rm", "demo", pink.name()).out().strip());
        JsonNode again = Cli.expect(0, on, "endpoint", "rm", "demo", pink.name(), "-o", "json").json();
        assertFalse(again.get(0).path("removed").asBoolean(true), again.toString());

        // A network that is not there: one line, exit 2.
        for (String[] cmd : List.of(new String[]{"network", "inspect", "nosuch"},
                new String[]{"show", "arp", "--network", "nosuch"}, new String[]{"peer", "ls", "--network", "nosuch"},
                new String[]{"endpoint", "ls", "--network", "nosuch"})) {
            Cli.Run r = Cli.expect(2, on, cmd);
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("network nosuch does not exist"), r.err());
        }

        // lab down from the command line: every namespace of the lab goes; again, it says so and exits 0.
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        Cli.expect(0, where, "lab", "down", "--prefix", fixture.prefix);
        assertEquals(List.of(), NetNamespaces.list().stream().filter(n -> n.startsWith(fixture.prefix)).toList());
        assertEquals("lab " + fixture.prefix + ": not present",
                Cli.expect(0, where, "lab", "down", "--prefix", fixture.prefix).out().strip());
        assertFalse(Cli.expect(0, where, "lab", "down", "--prefix", fixture.prefix, "-o", "json").json()
                .get(0).path("removed").asBoolean(true));
    }

    private static void assertArpAndFdbMatchTheKernel(List<String> on, String ovl) {
        assertEquals(kernelArp(ovl), set(Cli.expect(0, on, "show", "arp", "-o", "json").json(),
                n -> n.path("dst").asText() + " " + n.path("lladdr").asText()));
        JsonNode fdb = Cli.expect(0, on, "show", "fdb", "--network", "demo", "-o", "json").json();
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
}
