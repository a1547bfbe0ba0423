package io.overlaynet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.Host;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.state.LocalState;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lab up} cut short half-way: by Ctrl-C (SIGINT) it removes what it made before it exits; killed
 * outright (SIGKILL) it leaves a record that says so, which {@code lab up} refuses and {@code lab down}
 * clears, namespaces and host records included.
 */
class LabInterruptTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void ctrlCRollsBackAndAKillLeavesARecordThatLabDownClears() throws Exception {
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());

        Process interrupted = startUpAndWaitForTheSecondHost();
        Sh.run("kill", "-INT", Long.toString(interrupted.pid())).ok();
        assertTrue(interrupted.waitFor(60, TimeUnit.SECONDS), "lab up ends after Ctrl-C (SIGINT)");
        String err = new String(interrupted.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(err.contains("lab " + fixture.prefix + " up was interrupted; what it had made is removed"), err);
        assertNothingLeft();

        Process killed = startUpAndWaitForTheSecondHost();
        killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertTrue(NetNamespaces.list().stream().anyMatch(n -> n.startsWith(fixture.prefix)), "a kill leaves namespaces");
        JsonNode ls = Cli.expect(0, where, "lab", "ls", "-o", "json").json();
        assertFalse(ls.at("/0/lab/complete").asBoolean(true), ls.toString());
        Cli.Run again = Cli.expect(1, where, "lab", "up", "--hosts", "6", "--prefix", fixture.prefix);
        assertTrue(again.err().contains("was cut short while it was being built: 'overlaynet lab down --prefix "
                + fixture.prefix + "'"), again.err());
        Cli.expect(1, where, "lab", "status", "--prefix", fixture.prefix);
        assertEquals("lab " + fixture.prefix + " removed", Cli.expect(0, where, "lab", "down", "--prefix", fixture.prefix).out().strip());
        assertNothingLeft();
    }

    /** {@code lab up --hosts 6} in its own JVM, returned once its second host's namespace exists (the lab is half-built). */
    private Process startUpAndWaitForTheSecondHost() throws Exception {
        // A background job's children start with SIGINT ignored (the shell's doing), and an ignored signal
        // stays ignored through exec: the JVM is started with SIGINT back at its default, as at a terminal.
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "--default-signal=INT"));
        cmd.addAll(Cli.inOwnJvm("lab", "up", "--hosts", "6", "--prefix", fixture.prefix, "--state-dir",
                fixture.stateDir.toString()));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!NetNamespaces.exists(fixture.prefix + "h2")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("lab up never got to its second host: "
                        + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            Thread.sleep(5);
        }
        assertTrue(p.isAlive(), "still building");
        return p;
    }

    private void assertNothingLeft() throws Exception {
        assertEquals(List.of(), NetNamespaces.list().stream().filter(n -> n.startsWith(fixture.prefix)).toList());
        assertFalse(Files.exists(fixture.stateDir.resolve("labs").resolve(fixture.prefix + ".json")), "no lab record");
        assertEquals(List.of(), new LocalState(Host.simulatedHosts(fixture.stateDir)).names("").stream()
                .filter(n -> n.startsWith(fixture.prefix)).toList());
    }
}
