package io.overlaynet.agent;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.overlaynet.agent.AgentFaultsTest.await;
import static io.overlaynet.agent.AgentFaultsTest.hasArp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agents over a real etcd: a 3-member cluster losing a member, and a store outage. */
class AgentEtcdTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void agentsKeepWorkingWhenOneOfThreeEtcdMembersIsKilled() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "etcd", 3);
        assertEquals(3, lab.etcdPids().size());
        ProcessHandle member = ProcessHandle.of(lab.etcdPids().getFirst()).orElseThrow();
        member.destroyForcibly();
        member.onExit().get(10, TimeUnit.SECONDS);
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        fixture.lab().agent(h1).addEndpoint("demo", "after", Optional.of("12.12.12.80"), Optional.empty(), Optional.empty());
        await("node2 programs 12.12.12.80", () -> hasArp(h2, "12.12.12.80"), 30);
        assertTrue(LabPing.ping(h2.containers().getFirst().namespace(), "12.12.12.80").isPresent());
    }

    @Test
    void theDataPlaneOutlivesAStoreOutageAndTheAgentCatchesUp() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "etcd");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        long etcd = lab.etcdPids().getFirst();
        new ProcessBuilder("kill", "-STOP", Long.toString(etcd)).start().waitFor();
        try {
            // The kernel keeps forwarding while the store is gone.
            for (int i = 0; i < 12; i++) {
                assertTrue(LabPing.ping(h1.containers().getFirst().namespace(), "12.12.12.3").isPresent());
                Thread.sleep(1000);
            }
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(etcd)).start().waitFor();
        }
        fixture.lab().agent(h1).addEndpoint("demo", "back", Optional.of("12.12.12.81"), Optional.empty(), Optional.empty());
        await("node2 programs 12.12.12.81 after the outage", () -> hasArp(h2, "12.12.12.81"), 30);
        String log = Files.readString(fixture.lab().agentLog(h2));
        long said = log.lines().filter(l -> l.contains("unreachable")).count();
        assertEquals(1, said, "the outage is logged once, not per retry:\n" + log);
    }
}
