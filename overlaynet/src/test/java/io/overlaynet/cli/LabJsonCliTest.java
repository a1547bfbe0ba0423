package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.Container;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.state.LocalState;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lab status} and {@code lab ping} with {@code -o json}, whole and with a container's namespace gone. */
class LabJsonCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void statusAndPingReportAsJsonAndNameWhatIsMissing() throws Exception {
        LabRecord lab = fixture.up(2, new Mode.Static());
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());

        Cli.Run status = Cli.run(where, "lab", "status", "--prefix", fixture.prefix, "-o", "json");
        assertEquals(0, status.exit(), status.err());
        JsonNode s = LocalState.JSON.readTree(status.out());
        assertEquals(lab.hosts().get(1).namespace(), s.at("/lab/hosts/1/namespace").asText(), status.out());
        assertEquals(0, s.path("missingNamespaces").size(), status.out());

        List<Container> cs = lab.containers();
        Cli.Run ping = Cli.run(where, "lab", "ping", "--prefix", fixture.prefix, "-o", "json");
        assertEquals(0, ping.exit(), ping.err() + ping.out());
        JsonNode pairs = LocalState.JSON.readTree(ping.out());
        assertEquals(cs.size() * (cs.size() - 1), pairs.size(), ping.out());
        for (JsonNode p : pairs) {
            assertTrue(p.path("rttMs").asDouble() > 0, "every pair answered: " + p);
        }

        // A container's namespace vanishes behind the lab's back: both commands say so and exit 1.
        Container gone = cs.getLast();
        Sh.run("ip", "netns", "del", gone.namespace()).ok();
        Cli.Run broken = Cli.run(where, "lab", "status", "--prefix", fixture.prefix, "-o", "json");
        assertEquals(1, broken.exit(), broken.err());
        assertEquals(List.of(gone.namespace()), texts(LocalState.JSON.readTree(broken.out()).path("missingNamespaces")));
        Cli.Run failing = Cli.run(where, "lab", "ping", "--prefix", fixture.prefix, "-o", "json");
        assertEquals(1, failing.exit(), failing.out());
        for (JsonNode p : LocalState.JSON.readTree(failing.out())) {
            boolean involved = p.path("fromIp").asText().equals(gone.ip()) || p.path("toIp").asText().equals(gone.ip());
            assertEquals(involved, p.path("rttMs").isNull(), "only pairs with the lost container fail: " + p);
        }

        Cli.Run bad = Cli.run(where, "lab", "status", "--prefix", fixture.prefix, "-o", "yaml");
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.err().contains("unknown output format 'yaml'"), bad.err());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
