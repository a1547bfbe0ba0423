package io.overlaynet.agent;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.overlaynet.agent.AgentFaultsTest.await;
import static io.overlaynet.agent.AgentFaultsTest.hasArp;
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
}
