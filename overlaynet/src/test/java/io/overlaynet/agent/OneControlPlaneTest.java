package io.overlaynet.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.overlaynet.agent.AgentFaultsTest.await;
import static io.overlaynet.agent.AgentFaultsTest.hasArp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One control plane: on a host an agent runs, commands find it and go through it, a change that would
 * bypass it is refused, and the cluster is seen and changed through its store. Each assertion here
 * failed before the agent left a note of its host namespace and the store-wide commands existed.
 */
class OneControlPlaneTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void commandsRunAsALabHostFindItsAgentAndTheStoreSeesTheCluster() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        List<String> asH1 = List.of("--host-ns", h1.namespace(), "--state-dir", fixture.stateDir.toString());

        // Found without --agent-socket, without even --ns-prefix: the endpoint goes through the agent.
        Cli.Run st = Cli.expect(0, asH1, "status", "-o", "json");
        assertEquals("node1", st.json().path("host").asText(), st.out());
        Cli.expect(0, List.of("--host-ns", h1.namespace(), "--ns-prefix", h1.nsPrefix()),
                "endpoint", "add", "demo", "web", "--ip", "12.12.12.50");
        await("node2 programs web", () -> hasArp(h2, "12.12.12.50"), 10);
        assertTrue(LabPing.ping(h2.containers().getFirst().namespace(), "12.12.12.50").isPresent());
        // ip netns exec H: the same agent, the host's own prefix.
        Sh.Result ls = Sh.run(cliIn(h1.namespace(), "endpoint", "ls", "-o", "json").toArray(String[]::new));
        assertTrue(ls.out().contains("\"web\"") && ls.out().contains(h1.nsPrefix() + "web"), ls.out() + ls.err());

        // Cluster-wide views through the store.
        String store = lab.store();
        Cli.Run eps = Cli.expect(0, List.of(), "endpoint", "ls", "--store", store, "-o", "json");
        assertEquals(4, eps.json().size(), eps.out());
        assertTrue(eps.out().contains("\"vtep\" : \"192.168.104.2\"") && eps.out().contains("\"host\" : \"node1\""), eps.out());
        Cli.Run hosts = Cli.expect(0, List.of(), "host", "ls", "--store", store, "-o", "json");
        assertEquals(List.of("node1", "node2"), names(hosts.json(), "name"));
        assertTrue(hosts.json().get(0).path("leaseLeftSeconds").asLong() > 0, hosts.out());
        Cli.Run nets = Cli.expect(0, List.of(), "network", "ls", "--store", store);
        assertTrue(nets.out().contains("demo") && nets.out().lines().anyMatch(l -> l.trim().endsWith(" 4")), nets.out());
        JsonNode inspect = Cli.expect(0, List.of(), "network", "inspect", "demo", "--store", store).json();
        assertEquals(42, inspect.path("network").path("vni").asInt());
        assertEquals(4, inspect.path("endpoints").size());
        // The mode a network really runs in.
        assertTrue(Cli.expect(0, asH1, "network", "ls").out().contains("proactive"));

        // Checks that belong to a network, each one line naming what is wrong.
        Cli.Run taken = Cli.expect(2, asH1, "endpoint", "add", "demo", "thief", "--ip", "12.12.12.3");
        assertTrue(taken.err().contains("already taken by endpoint pinkns on node2, vtep 192.168.104.3"), taken.err());
        assertEquals(1, taken.err().strip().lines().count(), taken.err());
        Cli.Run dupMac = Cli.expect(2, asH1, "endpoint", "add", "demo", "dup", "--mac", "02:42:0c:0c:0c:03");
        assertTrue(dupMac.err().contains("already used in network demo by 12.12.12.3 on node2"), dupMac.err());
        Cli.Run mcast = Cli.expect(2, asH1, "endpoint", "add", "demo", "mc", "--mac", "03:00:00:00:00:01");
        assertTrue(mcast.err().contains("not a unicast address"), mcast.err());
        Cli.Run overlap = Cli.expect(2, List.of(), "network", "create", "wide", "--vni", "43", "--subnet", "12.12.0.0/16",
                "--store", store);
        assertTrue(overlap.err().contains("overlaps 12.12.12.0/24 of network demo"), overlap.err());
        assertFalse(NetNamespaces.list().stream().anyMatch(n -> n.startsWith(h1.nsPrefix()) && n.endsWith("dup")));

        // One door: local changes that would bypass the agent are refused, naming it and what to use.
        Cli.Run rm = Cli.expect(2, asH1, "network", "rm", "demo");
        assertTrue(rm.err().contains("the agent of host node1") && rm.err().contains("network rm demo --store " + store),
                rm.err());
        Cli.Run create = Cli.expect(2, asH1, "network", "create", "red", "--vni", "44", "--subnet", "10.9.0.0/24");
        assertTrue(create.err().contains("--store " + store), create.err());
        assertTrue(NetNamespaces.exists(h1.overlayNamespace()), "the refused rm removed nothing");

        // network rm --store: refused while endpoints are left; with --force every host removes its side.
        Cli.Run busy = Cli.expect(2, List.of(), "network", "rm", "demo", "--store", store);
        assertTrue(busy.err().contains("still has 4 endpoint(s) on node1, node2"), busy.err());
        Cli.expect(0, List.of(), "network", "rm", "demo", "--store", store, "--force");
        await("every host removes the network", () -> !NetNamespaces.exists(h1.overlayNamespace())
                && !NetNamespaces.exists(h2.overlayNamespace()), 10);
        assertFalse(NetNamespaces.exists(h1.nsPrefix() + "web"), "the endpoint's namespace went with it");
        assertEquals(0, Cli.expect(0, List.of(), "endpoint", "ls", "--store", store, "-o", "json").json().size());
    }

    @Test
    void aDeadLabAgentIsRestartedAndAnAgentWhoseHostIsGoneDeregisters() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h2 = lab.hosts().get(1);
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        ProcessHandle agent2 = ProcessHandle.of(lab.agentPids().get(1)).orElseThrow();
        agent2.destroyForcibly();
        agent2.onExit().get(10, TimeUnit.SECONDS);
        Cli.Run status = Cli.expect(1, where, "lab", "status", "--prefix", fixture.prefix);
        assertTrue(status.out().contains("agent pid " + agent2.pid() + " DOES NOT ANSWER, socket ")
                && status.out().contains("node2.log"), status.out());
        Cli.Run up = Cli.expect(0, where, "lab", "up", "--hosts", "2", "--mode", "proactive", "--prefix", fixture.prefix);
        assertTrue(up.out().contains("the agent of node2 was not running: started it again"), up.out());
        assertTrue(Cli.expect(0, where, "lab", "status", "--prefix", fixture.prefix).out().contains("every agent answers"));
        assertTrue(LabPing.all(fixture.lab().record().orElseThrow()).stream().allMatch(LabPing.Result::ok));

        long pid2 = fixture.lab().record().orElseThrow().agentPids().get(1);
        NetNamespaces.delete(h2.namespace());
        ProcessHandle.of(pid2).ifPresent(p -> {
            try {
                p.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the agent of a deleted host namespace still runs", e);
            }
        });
        Cli.Run hosts = Cli.expect(0, List.of(), "host", "ls", "--store", lab.store(), "-o", "json");
        assertEquals(List.of("node1"), names(hosts.json(), "name"), "it deregistered on its way out");
    }

    @Test
    void anEndpointThatMovesOrComesBackWithAnotherMacIsReachedAtOnce() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(3, false, "file");
        List<String> where = List.of("--state-dir", fixture.stateDir.toString());
        int at = 0;
        Cli.expect(0, hostArgs(lab.hosts().get(at), where), "endpoint", "add", "demo", "mv", "--ip", "12.12.12.100");
        for (int move = 1; move <= 6; move++) {
            int to = (at + 1) % 3;
            int third = (to + 1) % 3; // it held the endpoint two moves ago (its bridge and containers remember it)
            String mac = move % 2 == 0 ? "02:43:00:00:00:0" + move : "02:42:0c:0c:0c:64";
            Cli.expect(0, hostArgs(lab.hosts().get(at), where), "endpoint", "rm", "demo", "mv");
            Cli.expect(0, hostArgs(lab.hosts().get(to), where), "endpoint", "add", "demo", "mv", "--ip", "12.12.12.100",
                    "--mac", mac);
            String from = lab.hosts().get(third).containers().getFirst().namespace();
            // Once the third host's kernel has the new location (what bench churn times), one ping must do.
            LabHost thirdHost = lab.hosts().get(third);
            String wantMac = mac;
            await("node" + (third + 1) + " places 12.12.12.100 at node" + (to + 1), () ->
                    Sh.ipJson(thirdHost.overlayNamespace(), "neigh", "show", "12.12.12.100", "dev", "vxlan1").toString()
                            .contains(wantMac) && Sh.fdbJson(thirdHost.overlayNamespace(), "dev", "vxlan1").toString()
                            .contains(lab.hosts().get(to).address()), 5);
            Sh.Result ping = Sh.run("ip", "netns", "exec", from, "ping", "-c", "1", "-W", "2", "12.12.12.100");
            assertEquals(0, ping.exit(), "move " + move + " to node" + (to + 1) + " with MAC " + mac
                    + ": one ping from node" + (third + 1) + " is answered\n" + ping.out());
            at = to;
        }
    }

    private static List<String> hostArgs(LabHost h, List<String> where) {
        List<String> out = new ArrayList<>(List.of("--host-ns", h.namespace()));
        out.addAll(where);
        return out;
    }

    @Test
    void theStoreMayComeFromTheConfigFile() throws Exception {
        Path store = fixture.stateDir.resolve("store");
        Path config = fixture.stateDir.resolve("config.json");
        Files.writeString(config, "{\"store\": \"file://" + store + "\"}");
        Sh.Result made = withConfig(config, "network", "create", "blue", "--vni", "77", "--subnet", "10.77.0.0/24", "--store");
        assertEquals(0, made.exit(), made.out() + made.err());
        assertTrue(made.out().contains("network blue defined in file://" + store), made.out());
        assertTrue(Cli.expect(0, List.of(), "network", "ls", "--store", "file://" + store).out().contains("10.77.0.0/24"));
        Sh.Result none = withConfig(fixture.stateDir.resolve("absent.json"), "host", "ls");
        assertEquals(2, none.exit(), none.out() + none.err());
        assertTrue(none.err().contains("no store given and none configured in " + fixture.stateDir.resolve("absent.json")),
                none.err());
    }

    /** The CLI in a JVM of its own, reading this configuration file. */
    private static Sh.Result withConfig(Path config, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm(args));
        pb.environment().put("OVERLAYNET_CONFIG", config.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        return new Sh.Result(p.waitFor(), out, err);
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    private static List<String> cliIn(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(Cli.inOwnJvm(args));
        return cmd;
    }
}
