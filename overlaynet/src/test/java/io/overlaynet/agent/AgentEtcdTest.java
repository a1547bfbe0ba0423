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
        // The cluster may be electing a new leader: like any client, retry a failed call for a while.
        addWithRetry(fixture.lab().agent(h1), "after", "12.12.12.80");
        await("node2 programs 12.12.12.80", () -> hasArp(h2, "12.12.12.80"), 30);
        assertTrue(LabPing.ping(h2.containers().getFirst().namespace(), "12.12.12.80").isPresent());
    }

    static void addWithRetry(AgentClient agent, String name, String ip) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                agent.addEndpoint("demo", name, Optional.of(ip), Optional.empty(), Optional.empty());
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
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
        addWithRetry(fixture.lab().agent(h1), "back", "12.12.12.81");
        await("node2 programs 12.12.12.81 after the outage", () -> hasArp(h2, "12.12.12.81"), 30);
        String log = Files.readString(fixture.lab().agentLog(h2));
        long said = log.lines().filter(l -> l.contains("unreachable")).count();
        assertEquals(1, said, "the outage is logged once, not per retry:\n" + log);
    }
}
