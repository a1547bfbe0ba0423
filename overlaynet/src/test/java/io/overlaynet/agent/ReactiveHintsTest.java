package io.overlaynet.agent;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static io.overlaynet.agent.AgentFaultsTest.await;
import static io.overlaynet.agent.AgentFaultsTest.hasArp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reactive mode: nothing is programmed before traffic; the first miss is answered, and the host that
 * answered asks the other host (a hint in the store) to program its endpoints before the reply needs them.
 */
class ReactiveHintsTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void theFirstMissProgramsTheReverseDirectionAhead() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, true, "file");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        assertFalse(hasArp(h1, "12.12.12.3"), "reactive: nothing before traffic");
        assertFalse(hasArp(h2, "12.12.12.2"), "reactive: nothing before traffic");

        assertTrue(LabPing.ping(h1.containers().getFirst().namespace(), "12.12.12.3").isPresent());
        try (Store s = Stores.open(lab.store())) {
            await("node1 asks node2 to program node1's endpoints", () ->
                    s.get(new Keys.Hint("node2", "node1", "demo").key()).isPresent(), 10);
        }
        await("node2 programs node1's pinkns ahead", () -> hasArp(h2, "12.12.12.2"), 10);
    }

    /**
     * The agent answers a miss in the bridge too (an ARP reply), so a container does not wait for its ARP
     * retry: with the kernel's 1 s retransmit timer put back, the first ping still answers well within it.
     */
    @Test
    void theFirstPingDoesNotWaitForTheArpRetry() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, true, "file");
        String from = lab.hosts().get(0).containers().getFirst().namespace();
        String to = lab.hosts().get(1).containers().getFirst().namespace();
        for (String ns : List.of(from, to)) {
            Sh.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.neigh.eth0.retrans_time_ms=1000").ok();
        }
        Sh.Result ping = Sh.run("ip", "netns", "exec", from, "ping", "-n", "-c", "1", "-W", "2", "12.12.12.3");
        assertEquals(0, ping.exit(), ping.out());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("time=([0-9.]+) ms").matcher(ping.out());
        assertTrue(m.find(), ping.out());
        assertTrue(Double.parseDouble(m.group(1)) < 500, "answered without a 1 s ARP retry on either side: " + ping.out());
    }
}
