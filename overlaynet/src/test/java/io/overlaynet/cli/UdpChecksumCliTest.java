package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.state.LocalState;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outer UDP checksum: off unless {@code --udp-csum} asks for it (the kernel's own default is on),
 * as iproute2 reads it back from the VXLAN device; recorded, and part of the idempotency check.
 */
class UdpChecksumCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void offByDefaultOnWhenAskedAndAMismatchIsRefused() throws Exception {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h = lab.hosts().getFirst();
        String prefix = h.nsPrefix() + "c-";
        List<String> where = List.of("--host-ns", h.namespace(), "--ns-prefix", prefix, "--state-dir",
                fixture.stateDir.toString());

        Cli.Run plain = Cli.run(where, "network", "create", "c0", "--vni", "70", "--subnet", "10.7.0.0/24");
        assertEquals(0, plain.exit(), plain.err());
        assertFalse(plain.out().contains("udp-csum"), plain.out());
        assertFalse(udpCsum(Host.overlayNamespace(prefix, "c0")), "no outer checksum unless asked");

        Cli.Run on = Cli.run(where, "network", "create", "c1", "--vni", "71", "--subnet", "10.7.1.0/24", "--udp-csum",
                "-o", "json");
        assertEquals(0, on.exit(), on.err());
        assertTrue(LocalState.JSON.readTree(on.out()).path("udpCsum").asBoolean(), on.out());
        assertTrue(udpCsum(Host.overlayNamespace(prefix, "c1")), "--udp-csum reaches the VXLAN device");

        // Asking again for the same network with the other setting is refused and changes nothing.
        Cli.Run clash = Cli.run(where, "network", "create", "c0", "--vni", "70", "--subnet", "10.7.0.0/24", "--udp-csum");
        assertEquals(2, clash.exit(), clash.out());
        assertEquals(1, clash.err().lines().count(), clash.err());
        assertTrue(clash.err().contains("udp checksum false, asked for true"), clash.err());
        assertFalse(udpCsum(Host.overlayNamespace(prefix, "c0")));
    }

    private static boolean udpCsum(String overlayNs) {
        JsonNode link = Sh.ipJson(overlayNs, "link", "show", "dev", "vxlan1").get(0);
        JsonNode v = link.path("linkinfo").path("info_data").path("udp_csum");
        assertTrue(v.isBoolean(), "iproute2 reports udp_csum: " + link);
        return v.asBoolean();
    }
}
