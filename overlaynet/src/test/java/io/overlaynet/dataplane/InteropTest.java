package io.overlaynet.dataplane;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host wired only with raw ip/bridge commands, step by step as the walkthroughs do it, and a host wired by
 * overlaynet reach each other in both directions.
 */
class InteropTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void handBuiltHostAndOverlaynetHostTalkBothWays() {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h1 = lab.hosts().getFirst();
        String ul = lab.underlayNamespace();
        String raw = fixture.ns("raw");
        String overns = fixture.ns("overns");
        String green = fixture.ns("green");

        // The raw host joins the lab's underlay as 192.168.104.9.
        Sh.run("ip", "netns", "add", raw).ok();
        Sh.ip(ul, "link", "add", "hraw", "type", "veth", "peer", "name", "eth1", "netns", raw);
        Sh.ip(ul, "link", "set", "hraw", "master", "ubr0", "up");
        Sh.ip(raw, "addr", "add", "192.168.104.9/24", "dev", "eth1");
        Sh.ip(raw, "link", "set", "eth1", "up");
        // The walkthroughs' overlay namespace: br0 with the gateway, vxlan1 made on the host and moved in.
        Sh.run("ip", "netns", "add", overns).ok();
        Sh.ip(overns, "link", "add", "br0", "type", "bridge");
        Sh.ip(overns, "addr", "add", "12.12.12.1/24", "dev", "br0");
        Sh.ip(overns, "link", "set", "br0", "up");
        Sh.ip(raw, "link", "add", "vxlan1", "mtu", "1450", "type", "vxlan", "id", "42", "dstport", "4789", "proxy",
                "learning", "dev", "eth1", "local", "192.168.104.9");
        Sh.ip(raw, "link", "set", "vxlan1", "netns", overns);
        Sh.ip(overns, "link", "set", "vxlan1", "master", "br0", "up");
        // The walkthroughs' container: veth, MAC from the IP, address, default route.
        Sh.run("ip", "netns", "add", green).ok();
        Sh.ip(overns, "link", "add", "veth-green", "mtu", "1450", "type", "veth", "peer", "name", "eth0", "netns", green);
        Sh.ip(overns, "link", "set", "veth-green", "master", "br0", "up");
        Sh.ip(green, "link", "set", "eth0", "address", "02:42:0c:0c:0c:09", "mtu", "1450", "up");
        Sh.ip(green, "addr", "add", "12.12.12.9/24", "dev", "eth0");
        Sh.ip(green, "route", "add", "default", "via", "12.12.12.1");
        // Static wiring towards node1's pinkns (12.12.12.2 on 192.168.104.2).
        Sh.ip(overns, "neigh", "add", "12.12.12.2", "lladdr", "02:42:0c:0c:0c:02", "dev", "vxlan1", "nud", "permanent");
        Sh.run("bridge", "-n", overns, "fdb", "add", "02:42:0c:0c:0c:02", "dev", "vxlan1", "dst", "192.168.104.2",
                "self", "permanent").ok();
        // overlaynet's side: one peer entry.
        try (Host host = Host.open(h1.nsPrefix(), fixture.stateDir, Optional.of(h1.namespace()))) {
            new Peers(host).addEndpoint("demo", Ip.parse("12.12.12.9"), Optional.empty(), Ip.parse("192.168.104.9"));
        }
        assertTrue(LabPing.ping(h1.containers().getFirst().namespace(), "12.12.12.9").isPresent(), "overlaynet -> raw");
        assertTrue(LabPing.ping(green, "12.12.12.2").isPresent(), "raw -> overlaynet");
    }
}
