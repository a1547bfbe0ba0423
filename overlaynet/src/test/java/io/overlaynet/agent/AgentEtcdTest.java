package io.overlaynet.agent;

import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.List;
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

    /**
     * Each etcd member in turn is cut off from the other two (nf_tables drops in its namespace) while the
     * agents keep talking to all three; whichever member node1's watch was on, it is cut off in one of
     * the rounds: require-leader ends that watch, the agent moves to a member with a leader, and an
     * endpoint added meanwhile on node2 is programmed on node1 within 5 s.
     */
    @Test
    void anEndpointIsProgrammedWhileTheAgentsEtcdMemberIsCutOff() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "etcd", 3);
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        for (int k = 0; k < 3; k++) {
            String member = fixture.lab().etcdNamespace(k);
            String others = java.util.stream.IntStream.range(0, 3).filter(i -> i != memberIndex(member))
                    .mapToObj(i -> "192.168.104." + (200 + i)).collect(java.util.stream.Collectors.joining(", "));
            nft(member, "add table ip cut");
            nft(member, "add chain ip cut in { type filter hook input priority 0; }");
            nft(member, "add chain ip cut out { type filter hook output priority 0; }");
            nft(member, "add rule ip cut in ip saddr { " + others + " } drop");
            nft(member, "add rule ip cut out ip daddr { " + others + " } drop");
            try {
                Thread.sleep(4000); // the cut-off member notices it has no leader
                String ip = "12.12.12." + (90 + k);
                addWithRetry(fixture.lab().agent(h2), "cut" + k, ip);
                long t0 = System.nanoTime();
                try {
                    await("node1 programs " + ip + " with member " + k + " cut off", () -> hasArp(h1, ip), 5);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; node1's agent log:\n"
                            + Files.readString(fixture.lab().agentLog(h1)), e);
                }
                System.out.printf("member %d cut off: programmed on node1 %.0f ms after the add%n", k,
                        (System.nanoTime() - t0) / 1e6);
            } finally {
                nft(member, "delete table ip cut");
            }
        }
    }

    private static int memberIndex(String ns) {
        return Integer.parseInt(ns.substring(ns.lastIndexOf("etcd") + 4));
    }

    private static void nft(String ns, String command) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns, "nft"));
        cmd.addAll(List.of(command.split(" ")));
        Sh.run(cmd.toArray(String[]::new)).ok();
    }
}
