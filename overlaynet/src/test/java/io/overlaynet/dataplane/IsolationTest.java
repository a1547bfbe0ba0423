package io.overlaynet.dataplane;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two networks with different VNIs and the same subnet on the same hosts, both flooding every frame to
 * every VTEP (so only the VNI separates them): traffic stays in its own network.
 */
class IsolationTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void sameSubnetDifferentVniNoFrameCrosses() {
        LabRecord lab = fixture.up(2, new Mode.Flood());
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        // Network "blue", VNI 43, same 12.12.12.0/24; its endpoints reuse demo's IPs with their own MACs.
        MacAddress blueMac2 = MacAddress.parse("02:b1:00:00:00:02");
        MacAddress blueMac3 = MacAddress.parse("02:b1:00:00:00:03");
        String blue2 = addBlue(h1, "blue2", "12.12.12.2", blueMac2, h2);
        String blue3 = addBlue(h2, "blue3", "12.12.12.3", blueMac3, h1);

        String demo2 = h1.containers().get(0).namespace();
        String demo3 = h2.containers().get(0).namespace();
        assertTrue(LabPing.ping(demo2, "12.12.12.3").isPresent(), "demo .2 -> .3");
        assertTrue(LabPing.ping(blue2, "12.12.12.3").isPresent(), "blue .2 -> .3");

        // Each side learned its own network's MAC for .3, never the other network's.
        assertEquals("02:42:0c:0c:0c:03", neighbourMac(demo2, "12.12.12.3"));
        assertEquals(blueMac3.toString(), neighbourMac(blue2, "12.12.12.3"));
        // blue .3 heard only blue's .2: its ARP entry for .2 is blue's MAC.
        assertEquals(blueMac2.toString(), neighbourMac(blue3, "12.12.12.2"));
        assertEquals("02:42:0c:0c:0c:02", neighbourMac(demo3, "12.12.12.2"));
        // An address that exists only in demo (.4 on node2) is unreachable from blue.
        assertTrue(LabPing.ping(blue2, "12.12.12.4").isEmpty(), "blue must not reach demo's .4");
    }

    private String addBlue(LabHost h, String name, String ip, MacAddress mac, LabHost other) {
        try (Host host = Host.open(h.nsPrefix(), fixture.stateDir, Optional.of(h.namespace()))) {
            new Networks(host).allowingOverlap().create(new NetworkConfig("blue", 43, IpPrefix.parse("12.12.12.0/24"),
                    Ip.parse("12.12.12.1"), 1450, 4789, new Mode.Flood(), Optional.empty(), false), Optional.of("eth1"));
            new Peers(host).addVtep("blue", Ip.parse(other.address()));
            return new Endpoints(host).add(new Endpoints.Request("blue", name, Ip.parse(ip), Optional.of(mac),
                    Optional.empty())).record().namespace();
        }
    }

    private static String neighbourMac(String ns, String ip) {
        return Sh.ipJson(ns, "neigh", "show", ip).get(0).path("lladdr").asText();
    }
}
