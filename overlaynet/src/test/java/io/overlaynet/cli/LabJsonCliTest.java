package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.Container;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lab status}, {@code lab ls} and {@code lab ping} with {@code -o json}, whole and with a container's
 * namespace gone; {@code lab up} again on a lab that is up: a no-op when it asks for the same lab, refused
 * otherwise; {@code lab down --all}.
 */
class LabJsonCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void statusAndPingReportAsJsonAndNameWhatIsMissingAndUpAgainIsANoOp() throws Exception {
        LabRecord lab = fixture.up(2, new Mode.Static());
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());

        Cli.Run status = Cli.expect(0, where, "lab", "status", "--prefix", fixture.prefix, "-o", "json");
        JsonNode s = status.json();
        assertEquals(lab.hosts().get(1).namespace(), s.at("/lab/hosts/1/namespace").asText(), status.out());
        assertEquals(0, s.path("missingNamespaces").size(), status.out());

        // 'lab ls' lists it; asking for a lab under another prefix names the one that is up.
        Cli.Run ls = Cli.expect(0, where, "lab", "ls", "-o", "json");
        assertEquals(1, ls.json().size(), ls.out());
        assertEquals(s, ls.json().get(0));
        assertTrue(Cli.expect(0, where, "lab", "ls").out().lines()
                .anyMatch(l -> l.matches(fixture.prefix + " +2 +static +- +up")), "a row for the lab");
        Cli.Run other = Cli.expect(1, where, "lab", "status", "--prefix", fixture.prefix + "x");
        assertTrue(other.err().contains("the lab up here is " + fixture.prefix + " (pick one with --prefix)"), other.err());

        List<Container> cs = lab.containers();
        Cli.Run ping = Cli.expect(0, where, "lab", "ping", "--prefix", fixture.prefix, "-o", "json");
        JsonNode pairs = ping.json();
        assertEquals(cs.size() * (cs.size() - 1), pairs.size(), ping.out());
        for (JsonNode p : pairs) {
            assertTrue(p.path("rttMs").asDouble() > 0, "every pair answered: " + p);
        }

        // 'lab up' again: the same lab is a no-op that prints it; a different one is refused and makes nothing.
        List<String> namespaces = NetNamespaces.list();
        Cli.Run again = Cli.expect(0, where, "lab", "up", "--hosts", "2", "--mode", "static", "--prefix", fixture.prefix);
        assertTrue(again.out().startsWith("lab " + fixture.prefix + " already up: 2 hosts"), again.out());
        assertEquals(s.path("lab"), Cli.expect(0, where, "lab", "up", "--hosts", "2", "--prefix", fixture.prefix, "-o", "json").json());
        Cli.Run bigger = Cli.expect(2, where, "lab", "up", "--hosts", "3", "--mode", "flood", "--prefix", fixture.prefix);
        assertTrue(bigger.err().contains("is up with 2 hosts, mode static; asked for 3 hosts, mode flood"), bigger.err());
        assertEquals(namespaces, NetNamespaces.list());

        // A container's namespace vanishes behind the lab's back: status, ping and up say so and exit 1.
        Container gone = cs.getLast();
        Sh.run("ip", "netns", "del", gone.namespace()).ok();
        Cli.Run upBroken = Cli.expect(1, where, "lab", "up", "--hosts", "2", "--prefix", fixture.prefix);
        assertTrue(upBroken.err().contains("but " + gone.namespace() + " is gone"), upBroken.err());
        Cli.Run broken = Cli.expect(1, where, "lab", "status", "--prefix", fixture.prefix, "-o", "json");
        assertEquals(List.of(gone.namespace()), texts(broken.json().path("missingNamespaces")));
        Cli.Run failing = Cli.expect(1, where, "lab", "ping", "--prefix", fixture.prefix, "-o", "json");
        for (JsonNode p : failing.json()) {
            boolean involved = p.path("fromIp").asText().equals(gone.ip()) || p.path("toIp").asText().equals(gone.ip());
            assertEquals(involved, p.path("rttMs").isNull(), "only pairs with the lost container fail: " + p);
        }

        assertTrue(Cli.expect(0, where, "lab", "ls").out().lines()
                .anyMatch(l -> l.matches(fixture.prefix + " .* 1 namespace\\(s\\) missing")), "the row says what is gone");

        Cli.Run bad = Cli.expect(2, where, "lab", "status", "--prefix", fixture.prefix, "-o", "yaml");
        assertTrue(bad.err().contains("unknown output format 'yaml'"), bad.err());

        // 'lab down --all' removes every lab recorded in this state directory, and then has nothing to do.
        Cli.Run both = Cli.expect(2, where, "lab", "down", "--all", "--prefix", fixture.prefix);
        assertTrue(both.err().contains("--all and --prefix do not go together"), both.err());
        assertEquals("lab " + fixture.prefix + " removed", Cli.expect(0, where, "lab", "down", "--all").out().strip());
        assertTrue(NetNamespaces.list().stream().noneMatch(n -> n.startsWith(fixture.prefix)), NetNamespaces.list().toString());
        assertEquals(0, Cli.expect(0, where, "lab", "ls", "-o", "json").json().size());
        assertTrue(Cli.expect(0, where, "lab", "down", "--all").out().contains("nothing to remove"));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
