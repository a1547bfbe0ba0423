package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code network create} sets on the devices, as iproute2 reads them back: the outer UDP checksum,
 * off unless {@code --udp-csum} asks for it (the kernel's own default is on), recorded and part of the
 * idempotency check; and the MTU, underlay MTU - 50 by default, and one too large for the underlay refused.
 */
class NetworkCreateCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void offByDefaultOnWhenAskedAndAMismatchIsRefused() throws Exception {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h = lab.hosts().getFirst();
        String prefix = h.nsPrefix() + "c-";
        List<String> where = fixture.actAs(h, prefix);

        Cli.Run plain = Cli.expect(0, where, "network", "create", "c0", "--vni", "70", "--subnet", "10.7.0.0/24");
        assertFalse(plain.out().contains("udp-csum"), plain.out());
        assertEquals("", plain.err(), "nothing to warn about");
        assertFalse(udpCsum(Host.overlayNamespace(prefix, "c0")), "no outer checksum unless asked");

        Cli.Run on = Cli.expect(0, where, "network", "create", "c1", "--vni", "71", "--subnet", "10.7.1.0/24", "--udp-csum",
                "-o", "json");
        assertTrue(on.json().path("udpCsum").asBoolean(), on.out());
        assertTrue(udpCsum(Host.overlayNamespace(prefix, "c1")), "--udp-csum reaches the VXLAN device");

        // Asking again for the same network with the other setting is refused and changes nothing.
        Cli.Run clash = Cli.expect(2, where, "network", "create", "c0", "--vni", "70", "--subnet", "10.7.0.0/24", "--udp-csum");
        assertEquals(1, clash.err().lines().count(), clash.err());
        assertTrue(clash.err().contains("udp checksum false, asked for true"), clash.err());
        assertFalse(udpCsum(Host.overlayNamespace(prefix, "c0")));
    }

    /** {@code --attach macvlan}: recorded, listed, part of the idempotency check; bad values are one-line errors. */
    @Test
    void attachMacvlanIsRecordedListedAndCheckedAndBadValuesAreRefused() {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h = lab.hosts().getFirst();
        String prefix = h.nsPrefix() + "a-";
        List<String> where = fixture.actAs(h, prefix);

        Cli.Run made = Cli.expect(0, where, "network", "create", "mv", "--vni", "72", "--subnet", "10.7.2.0/24",
                "--attach", "macvlan");
        assertTrue(made.out().contains(" macvlan "), made.out());
        assertEquals("macvlan", Cli.expect(0, where, "network", "inspect", "mv", "-o", "json").json().path("attach")
                .asText());
        assertTrue(Cli.expect(0, where, "network", "ls").out().lines().anyMatch(l -> l.startsWith("mv ")
                && l.contains(" macvlan ")), "ATTACH column");
        Cli.Run ep = Cli.expect(0, where, "endpoint", "add", "mv", "e1", "--ip", "10.7.2.5");
        assertTrue(ep.out().contains("a macvlan child of the VXLAN device"), ep.out());
        assertTrue(Cli.expect(0, where, "endpoint", "ls").out().contains("(macvlan)"));

        // Without --attach an existing network keeps its attachment; asked for another, it is refused.
        Cli.expect(0, where, "network", "create", "mv", "--vni", "72", "--subnet", "10.7.2.0/24");
        Cli.Run clash = Cli.expect(2, where, "network", "create", "mv", "--vni", "72", "--subnet", "10.7.2.0/24",
                "--attach", "bridge");
        assertEquals(1, clash.err().lines().count(), clash.err());
        assertTrue(clash.err().contains("attachment macvlan, asked for bridge"), clash.err());
        // The default for a new network is macvlan; with --bridge, bridge.
        assertTrue(Cli.expect(0, where, "network", "create", "dflt", "--vni", "75", "--subnet", "10.7.5.0/24")
                .out().contains(" macvlan "));

        Cli.Run bad = Cli.expect(2, where, "network", "create", "x1", "--vni", "73", "--subnet", "10.7.3.0/24",
                "--attach", "ipvlan");
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("unknown attachment 'ipvlan': use bridge or macvlan"), bad.err());
        Cli.Run withBridge = Cli.expect(2, where, "network", "create", "x2", "--vni", "74", "--subnet", "10.7.4.0/24",
                "--attach", "macvlan", "--bridge", "br0");
        assertTrue(withBridge.err().contains("--attach macvlan needs an overlay namespace"), withBridge.err());
        assertFalse(io.overlaynet.netlink.netns.NetNamespaces.exists(Host.overlayNamespace(prefix, "x1")));
        Cli.expect(0, where, "network", "rm", "mv");
        assertFalse(io.overlaynet.netlink.netns.NetNamespaces.exists(Host.overlayNamespace(prefix, "mv")));
    }

    @Test
    void theMtuDefaultsToTheUnderlaysLess50AndOneThatDoesNotFitIsRefused() throws Exception {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h = lab.hosts().getFirst();
        String prefix = h.nsPrefix() + "m-";
        List<String> where = fixture.actAs(h, prefix);
        int underlayMtu = Sh.ipJson(h.namespace(), "link", "show", "dev", "eth1").get(0).path("mtu").asInt();

        Cli.Run plain = Cli.expect(0, where, "network", "create", "m0", "--vni", "80", "--subnet", "10.8.0.0/24");
        assertEquals("", plain.err());
        assertEquals(underlayMtu - 50, mtu(Host.overlayNamespace(prefix, "m0"), "vxlan1"));
        assertEquals(underlayMtu - 50, mtu(Host.overlayNamespace(prefix, "m0"), "gw0"));

        // The kernel would cap vxlan1 at the underlay's MTU - 50 while br0 and the endpoints kept the
        // larger MTU, so full-size frames would vanish at the VXLAN port: refused, and nothing is made.
        List<String> before = NetNamespaces.list();
        Cli.Run big = Cli.expect(2, where, "network", "create", "m1", "--vni", "81", "--subnet", "10.8.1.0/24", "--mtu",
                "" + (underlayMtu - 49));
        assertEquals(1, big.err().lines().count(), big.err());
        assertTrue(big.err().contains("network m1: MTU " + (underlayMtu - 49) + " plus VXLAN's 50 bytes is more than eth1's MTU "
                + underlayMtu) && big.err().contains("use an MTU of " + (underlayMtu - 50) + " or less"), big.err());
        assertEquals(before, NetNamespaces.list());
        Cli.Run ls = Cli.run(where, "network", "ls", "-o", "json");
        assertEquals(1, ls.json().size(), ls.out());

        Cli.expect(0, where, "network", "create", "m1", "--vni", "81", "--subnet", "10.8.1.0/24", "--mtu",
                "" + (underlayMtu - 50));
        assertEquals(underlayMtu - 50, mtu(Host.overlayNamespace(prefix, "m1"), "vxlan1"));
    }

    private static int mtu(String ns, String dev) {
        return Sh.ipJson(ns, "link", "show", "dev", dev).get(0).path("mtu").asInt();
    }

    private static boolean udpCsum(String overlayNs) {
        JsonNode link = Sh.ipJson(overlayNs, "link", "show", "dev", "vxlan1").get(0);
        JsonNode v = link.path("linkinfo").path("info_data").path("udp_csum");
        assertTrue(v.isBoolean(), "iproute2 reports udp_csum: " + link);
        return v.asBoolean();
    }
}
