package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --ns-prefix, --state-dir, --host-ns and -o before the command apply to it; the same option after
 * the command wins.
 */
class GlobalOptionsCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void optionsBeforeTheCommandApplyAndOnesAfterItWin() throws Exception {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h = lab.hosts().getFirst();
        String prefix = h.nsPrefix() + "g-";
        List<String> before = fixture.actAs(h, prefix);

        Cli.expect(0, before, "network", "create", "g1", "--vni", "88", "--subnet", "10.8.8.0/24");
        assertTrue(NetNamespaces.list().contains(Host.overlayNamespace(prefix, "g1")), NetNamespaces.list().toString());

        assertEquals(List.of("g1"), names(Cli.run(before, "network", "ls", "-o", "json")));
        // Another host's prefix before the command: its (empty) view, so the option is not ignored.
        List<String> other = fixture.actAs(h, prefix + "o-");
        assertEquals(List.of(), names(Cli.run(other, "network", "ls", "-o", "json")));
        // ... and the prefix given after the command wins over it.
        assertEquals(List.of("g1"), names(Cli.run(other, "network", "ls", "-o", "json", "--ns-prefix", prefix)));

        // -o before the command too, and again the one after it wins.
        assertEquals(List.of("g1"), names(Cli.run(before, "-o", "json", "network", "ls")));
        Cli.Run text = Cli.expect(0, before, "-o", "json", "network", "ls", "-o", "text");
        assertTrue(text.out().startsWith("NAME") && text.out().contains("g1"), text.out());
        Cli.Run bad = Cli.expect(2, before, "-o", "yaml", "network", "ls");
        assertTrue(bad.err().contains("unknown output format 'yaml': use text or json"), bad.err());

        // The lab commands take --state-dir and -o before the command too.
        Cli.Run statusJson = Cli.run(List.of("-o", "json", "--state-dir", fixture.stateDir.toString()), "lab", "status",
                "--prefix", fixture.prefix);
        assertEquals(0, statusJson.exit(), statusJson.err());
        assertEquals(fixture.prefix, statusJson.json().path("lab").path("prefix").asText(), statusJson.out());
        Cli.Run status = Cli.run(List.of("--state-dir", fixture.stateDir.toString()), "lab", "status", "--prefix",
                fixture.prefix);
        assertEquals(0, status.exit(), status.err());
        assertTrue(status.out().contains(h.namespace()), status.out());
        Cli.Run elsewhere = Cli.run(List.of("--state-dir", fixture.stateDir.resolve("none").toString()), "lab", "status",
                "--prefix", fixture.prefix);
        assertEquals(1, elsewhere.exit(), elsewhere.out());
        assertTrue(elsewhere.err().contains("no lab with prefix " + fixture.prefix), elsewhere.err());

        Cli.expect(0, before, "network", "rm", "g1");
        assertFalse(NetNamespaces.list().contains(Host.overlayNamespace(prefix, "g1")));
    }

    private static List<String> names(Cli.Run ls) throws Exception {
        assertEquals(0, ls.exit(), ls.err());
        List<String> names = new ArrayList<>();
        for (JsonNode n : ls.json()) {
            names.add(n.path("name").asText());
        }
        return names;
    }

    /** Acting as a lab host needs only its namespace: the prefix is the one its lab recorded. */
    @Test
    void aLabHostsNamespaceBringsItsPrefix() {
        LabRecord lab = fixture.up(1, new Mode.Static());
        LabHost h = lab.hosts().getFirst();
        List<String> asHost = List.of("--host-ns", h.namespace(), "--state-dir", fixture.stateDir.toString());
        Cli.expect(0, asHost, "endpoint", "add", "demo", "late", "--ip", "12.12.12.60");
        assertTrue(NetNamespaces.exists(h.nsPrefix() + "late"), "the container namespace carries the host's prefix");
        JsonNode eps = Cli.expect(0, asHost, "endpoint", "ls", "-o", "json").json();
        assertEquals(2, eps.size(), eps.toString());
        Cli.expect(0, asHost, "endpoint", "rm", "demo", "late");
        assertFalse(NetNamespaces.exists(h.nsPrefix() + "late"));
    }
}
