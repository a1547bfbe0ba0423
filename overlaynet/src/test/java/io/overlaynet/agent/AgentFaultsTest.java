package io.overlaynet.agent;

import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agents under faults: kill -9 and restart, bad store records, duplicate addresses. */
class AgentFaultsTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    static boolean hasArp(LabHost h, String ip) {
        return Sh.ipJson(h.overlayNamespace(), "neigh", "show", ip, "dev", "vxlan1").size() > 0;
    }

    static void await(String what, java.util.function.BooleanSupplier cond, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void killDashNineAndRestartWhileTrafficFlowsLosesNoPackets() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        Process ping = new ProcessBuilder("ip", "netns", "exec", h1.containers().getFirst().namespace(), "ping", "-n",
                "-i", "0.01", "-c", "400", "-W", "1", "12.12.12.3").redirectErrorStream(true).start();
        Thread.sleep(800);
        ProcessHandle agent2 = ProcessHandle.of(lab.agentPids().get(1)).orElseThrow();
        agent2.destroyForcibly(); // SIGKILL: no deregistration, no cleanup
        agent2.onExit().get(10, TimeUnit.SECONDS);
        // 'lab status' sees the dead agent; 'lab up' again starts it, and then is a no-op.
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        String[] up = {"lab", "up", "--hosts", "2", "--mode", "proactive", "--prefix", fixture.prefix};
        Cli.Run status = Cli.expect(1, where, "lab", "status", "--prefix", fixture.prefix);
        assertTrue(status.out().contains("no answer from the agent of " + h2.name()), status.out());
        Cli.Run repaired = Cli.expect(0, where, up);
        assertTrue(repaired.out().contains("the agent of " + h2.name() + " was not running"), repaired.out());
        assertTrue(ping.waitFor(30, TimeUnit.SECONDS));
        String out = new String(ping.getInputStream().readAllBytes());
        assertTrue(out.contains(" 0% packet loss"), out.lines().filter(l -> l.contains("loss")).findFirst().orElse(out));
        assertTrue(Files.readString(fixture.lab().agentLog(h2)).contains("resumed lease"),
                "the restarted agent must resume its lease");
        // And it still works: a new endpoint on node2 reaches node1's kernel.
        fixture.lab().agent(h2).addEndpoint("demo", "late", Optional.of("12.12.12.70"), Optional.empty(), Optional.empty());
        await("node1 programs 12.12.12.70", () -> hasArp(h1, "12.12.12.70"), 20);
        assertTrue(Cli.expect(0, where, up).out().contains("already up"));
        assertTrue(Cli.expect(0, where, "lab", "status", "--prefix", fixture.prefix).out().contains("every agent answers"));
    }

    @Test
    void badRecordsAreLoggedOnceSkippedAndNeverReachTheKernel() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        try (Store s = Stores.open(lab.store())) {
            s.put(Keys.endpoint("demo", "12.12.12.50"), "garbage{");
            s.put(Keys.endpoint("demo", "12.12.12.51"), "{\"mac\":\"zz:42\",\"host\":\"node2\",\"vtep\":\"192.168.104.3\"}");
            s.put(Keys.endpoint("demo", "99.1.1.1"), "{\"mac\":\"02:42:00:00:00:53\",\"host\":\"node2\",\"vtep\":\"192.168.104.3\"}");
            s.put(Keys.endpoint("demo", "12.12.12.52"), "{\"mac\":\"02:42:00:00:00:52\",\"host\":\"node2\",\"vtep\":\"nowhere\"}");
            s.put(Keys.host("broken"), "{\"vtep\":");
            // A good record written by hand after the bad ones is still programmed.
            s.put(Keys.endpoint("demo", "12.12.12.53"), "{\"mac\":\"02:42:0c:0c:0c:35\",\"host\":\"node2\",\"vtep\":\"192.168.104.3\"}");
            await("node1 programs the good record", () -> hasArp(h1, "12.12.12.53"), 20);
            // Touch a bad record again: still one log line for it.
            s.put(Keys.endpoint("demo", "12.12.12.50"), "garbage again{");
            Thread.sleep(2500);
        }
        for (String ip : List.of("12.12.12.50", "12.12.12.51", "99.1.1.1", "12.12.12.52")) {
            assertFalse(hasArp(h1, ip), ip + " must not reach the kernel");
        }
        assertTrue(ProcessHandle.of(lab.agentPids().getFirst()).orElseThrow().isAlive(), "the agent must survive");
        String log = Files.readString(fixture.lab().agentLog(h1));
        for (String key : List.of("12.12.12.50", "12.12.12.51", "99.1.1.1", "12.12.12.52", "hosts/broken")) {
            long lines = log.lines().filter(l -> l.contains("skipping store record") && l.contains(key)).count();
            assertEquals(1, lines, "one log line for " + key + " in:\n" + log);
        }
        assertTrue(LabPing.all(lab).stream().allMatch(LabPing.Result::ok));
    }

    @Test
    void theLaterOfTwoClaimsOnOneAddressIsRefused() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        AgentClient node2 = fixture.lab().agent(lab.hosts().get(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> node2.addEndpoint("demo", "thief",
                Optional.of("12.12.12.2"), Optional.empty(), Optional.empty()));
        assertTrue(e.getMessage().contains("12.12.12.2") && e.getMessage().contains("already taken"), e.getMessage());
        assertFalse(Sh.run("ip", "netns", "list").out().contains(lab.hosts().get(1).nsPrefix() + "thief"),
                "a refused endpoint leaves no namespace");
        // 'overlaynet status' shows what the agent knows; without an agent it says how to start one.
        Cli.Run st = Cli.run("status", "--agent-socket",
                fixture.stateDir.resolve("labs").resolve(fixture.prefix).resolve("node2.sock").toString());
        assertEquals(0, st.exit(), st.err());
        assertTrue(st.out().contains("node2") && st.out().contains("proactive"), st.out());
        Cli.Run none = Cli.run("status", "--agent-socket",
                fixture.stateDir.resolve("nothing.sock").toString());
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("no agent answers"), none.err());
        // Without an address, IPAM hands out a free one.
        EndpointRecord r = node2.addEndpoint("demo", "auto", Optional.empty(), Optional.empty(), Optional.empty());
        assertFalse(List.of("12.12.12.0", "12.12.12.1", "12.12.12.2", "12.12.12.3", "12.12.12.4").contains(r.ip()), r.ip());
        assertTrue(LabPing.ping(r.namespace(), "12.12.12.2").isPresent());
    }
}
