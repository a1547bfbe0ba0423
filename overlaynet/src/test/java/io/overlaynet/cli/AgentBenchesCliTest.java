package io.overlaynet.cli;

import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.CniShim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benches that run agents (first-packet, converge, churn, cni, scale), end to end at a small size: each runs,
 * prints its closing figures, and leaves no namespace or agent behind. The figures themselves are
 * measured by running the benches at full size, never here.
 */
class AgentBenchesCliTest {
    @Test
    void firstPacketInBothModes() {
        for (String mode : List.of("proactive", "reactive")) {
            Cli.Run r = Cli.run("bench", "first-packet", "--rounds", "1", "--mode", mode);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("first ping RTT (fresh containers, " + mode + ")"), r.out());
            assertPositive(r.lastLine(), "first_packet_ms");
        }
        assertNothingLeft("onbfp");
    }

    @Test
    void convergeOnTwoHosts() {
        Cli.Run r = Cli.run("bench", "converge", "--hosts", "2", "--endpoints", "5", "--store", "file");
        assertEquals(0, r.exit(), r.err());
        assertPositive(r.lastLine(), "converge_p99_ms");
        assertNothingLeft("onbcv");
    }

    @Test
    void scaleWithAFewHundredEndpoints() {
        Cli.Run r = Cli.run("bench", "scale", "--endpoints", "200", "--store", "file");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertPositive(lines.get(lines.size() - 2), "scale_vs_iproute2_batch");
        assertPositive(lines.getLast(), "agent_rss_mb");
        assertTrue(r.out().contains("all 200 programmed"), r.out());
        assertNothingLeft("onbsc");
    }

    @Test
    void churnOnThreeHosts() {
        Cli.Run r = Cli.run("bench", "churn", "--hosts", "3", "--moves", "4", "--store", "file");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertPositive(lines.get(lines.size() - 2), "churn_p99_ms");
        assertEquals(0, Cli.figure(lines.getLast(), "churn_stale_entries"), r.out());
        assertTrue(r.out().contains("ping from a third host after each move: 4/4 answered"), r.out());
        assertNothingLeft("onbch");
    }

    @Test
    void cniAgainstTheReferencePlugins() throws Exception {
        Cli.Run r = Cli.run("bench", "cni", "--containers", "3", "--podman-runs", "2", "--plugin", CniShim.binary().toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("bridge + host-local ADD"), r.out());
        List<String> lines = r.out().strip().lines().toList();
        assertPositive(lines.get(lines.size() - 3), "cni_del_vs_bridge_plugin");
        assertPositive(lines.get(lines.size() - 2), "podman_run_vs_default");
        assertPositive(lines.getLast(), "cni_add_vs_bridge_plugin");
        assertNothingLeft("onbcn");
    }

    private static void assertPositive(String line, String name) {
        assertTrue(Cli.figure(line, name) > 0, line);
    }

    private static void assertNothingLeft(String prefix) {
        assertTrue(NetNamespaces.list().stream().noneMatch(n -> n.startsWith(prefix)), NetNamespaces.list().toString());
        // The benches run in this JVM, so the agents they start are its descendants.
        assertTrue(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .noneMatch(p -> p.info().commandLine().orElse("").contains("io.overlaynet.cli.Main agent")),
                "no agent of ours still runs");
    }
}
