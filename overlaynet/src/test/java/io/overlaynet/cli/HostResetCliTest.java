package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Host;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code host reset} on one lab host: every network, endpoint and peer overlaynet made there goes, with
 * the host's records; a namespace and a link that merely look like ours stay, and so does the other host.
 */
class HostResetCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void removesEverythingOverlaynetMadeOnTheHostAndNothingElse() {
        LabRecord lab = fixture.up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        List<String> on = fixture.actAs(h1, h1.nsPrefix());

        // A second network with its own endpoint, and a peer on the lab's network.
        Cli.expect(0, on, "network", "create", "extra", "--vni", "77", "--subnet", "10.77.0.0/24");
        Cli.expect(0, on, "endpoint", "add", "extra", "rc1", "--ip", "10.77.0.5");
        Cli.expect(0, on, "peer", "add", "demo", "--ip", "12.12.12.200", "--vtep", h2.address());
        // Look-alikes overlaynet did not make: a namespace under the host's prefix and a link in its namespace.
        String foreignNs = h1.nsPrefix() + "foreign";
        Sh.run("ip", "netns", "add", foreignNs).ok();
        Sh.run("ip", "-n", h1.namespace(), "link", "add", "rsveth0", "type", "veth", "peer", "name", "rsveth1").ok();

        List<String> ours = new ArrayList<>(List.of(h1.overlayNamespace(), Host.overlayNamespace(h1.nsPrefix(), "extra"),
                h1.nsPrefix() + "rc1"));
        h1.containers().stream().map(Container::namespace).forEach(ours::add);
        ours.forEach(ns -> assertTrue(NetNamespaces.exists(ns), "made before the reset: " + ns));
        Path h1State = fixture.stateDir.resolve("hosts").resolve(h1.nsPrefix());
        assertTrue(Files.isDirectory(h1State), h1State.toString());

        Cli.Run reset = Cli.expect(0, on, "host", "reset");
        assertEquals("host reset: removed 2 network(s) and their endpoints and peers", reset.out().strip());
        ours.forEach(ns -> assertFalse(NetNamespaces.exists(ns), "reset removes " + ns));
        assertFalse(Files.exists(h1State), "the host's records go too");
        assertTrue(NetNamespaces.exists(foreignNs), "a namespace overlaynet did not make stays");
        assertEquals("veth", Sh.ipJson(h1.namespace(), "link", "show", "rsveth0")
                .get(0).at("/linkinfo/info_kind").asText(), "a link overlaynet did not make stays");
        for (JsonNode link : Sh.ipJson(h1.namespace(), "link")) {
            assertFalse(link.path("ifalias").asText().startsWith(Host.OWNER_ALIAS), "left behind: " + link);
        }

        // The other host keeps all of its own.
        assertTrue(NetNamespaces.exists(h2.overlayNamespace()));
        h2.containers().forEach(c -> assertTrue(NetNamespaces.exists(c.namespace()), c.namespace()));
        assertTrue(Files.isDirectory(fixture.stateDir.resolve("hosts").resolve(h2.nsPrefix())));

        // Idempotent, and the host now lists nothing.
        Cli.Run again = Cli.expect(0, on, "host", "reset");
        assertEquals("host reset: removed 0 network(s) and their endpoints and peers", again.out().strip());
        assertEquals(0, Cli.expect(0, on, "host", "reset", "-o", "json").json().path("removedNetworks").asInt(-1));
        JsonNode listed = Cli.expect(0, on, "network", "ls", "-o", "json").json();
        assertTrue(listed.isArray() && listed.isEmpty(), listed.toString());
        assertFalse(Files.exists(h1State), "listing does not bring the records back");
    }
}
