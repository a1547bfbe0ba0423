package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lab demo}: JSON when asked, a removal line that works as printed, and no silent replacement. */
class LabDemoCliTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void demoSpeaksJsonNamesItsStateDirAndSaysWhenItReplacesALab() {
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        JsonNode j = Cli.expect(0, where, "lab", "demo", "--prefix", fixture.prefix, "-o", "json").json();
        assertEquals(20, j.path("pairs").asInt());
        assertEquals(20, j.path("answered").asInt(), j.toString());
        assertEquals("overlaynet lab down --prefix " + fixture.prefix + " --state-dir " + fixture.stateDir,
                j.path("remove").asText());
        Cli.Run again = Cli.expect(0, where, "lab", "demo", "--prefix", fixture.prefix);
        assertTrue(again.out().startsWith("lab " + fixture.prefix + " was up: removed it first"), again.out());
        assertTrue(again.out().contains("remove it with: bin/overlaynet lab down --prefix " + fixture.prefix
                + " --state-dir " + fixture.stateDir), again.out());
    }

    /** The README's first command on a bare machine: no ping, iperf3, etcd or tcpdump on the PATH at all. */
    @Test
    void demoNeedsNoExternalTool() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm("lab", "demo", "--prefix", fixture.prefix, "--state-dir",
                fixture.stateDir.toString())).redirectErrorStream(true);
        pb.environment().put("PATH", fixture.stateDir.resolve("empty-path").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("20/20 pairs answered"), out);
    }
}
