package io.overlaynet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.state.LocalState;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.CniShim;
import io.overlaynet.testing.LabFixture;
import io.overlaynet.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CNI plugin as a runtime drives it: the real executable, CNI_* variables and the configuration
 * on stdin, run inside a lab host whose agent answers; results checked against the kernel (iproute2)
 * and the store.
 */
class CniPluginTest {
    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    private static String config(String version, String network) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + network + "\",\"type\":\"overlaynet\"}";
    }

    private static Map<String, String> env(String command, String id, String netns, String ifname) {
        Map<String, String> e = new HashMap<>();
        e.put("CNI_COMMAND", command);
        e.put("CNI_CONTAINERID", id);
        e.put("CNI_NETNS", netns);
        e.put("CNI_IFNAME", ifname);
        e.put("CNI_PATH", "/opt/cni/bin");
        return e;
    }

    private static JsonNode json(Proc.Result r) throws Exception {
        return LocalState.JSON.readTree(r.out());
    }

    @Test
    void addCheckDelGcAndStatusThroughTheAgent() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        String h = h1.namespace();
        NetNamespaces.create(fixture.ns("c1")).close();
        NetNamespaces.create(fixture.ns("c2")).close();
        String c1 = "/run/netns/" + fixture.ns("c1");
        String c2 = "/run/netns/" + fixture.ns("c2");

        Proc.Result version = CniShim.run(h, env("VERSION", "", "", ""), "{\"cniVersion\":\"1.1.0\"}");
        assertEquals(0, version.exit());
        assertTrue(json(version).path("supportedVersions").toString().contains("1.1.0"), version.out());

        Proc.Result add = CniShim.run(h, env("ADD", "ctr-one", c1, "eth0"), config("1.1.0", "demo"));
        assertEquals(0, add.exit(), add.out() + add.err());
        JsonNode r = json(add);
        assertEquals("1.1.0", r.path("cniVersion").asText());
        assertEquals("eth0", r.path("interfaces").get(0).path("name").asText());
        assertEquals(c1, r.path("interfaces").get(0).path("sandbox").asText());
        String address = r.path("ips").get(0).path("address").asText();
        assertTrue(address.startsWith("12.12.12.") && address.endsWith("/24"), r.toString());
        assertEquals("12.12.12.1", r.path("ips").get(0).path("gateway").asText());
        assertFalse(r.path("ips").get(0).has("version"), "1.x results carry no address version");
        assertEquals("0.0.0.0/0", r.path("routes").get(0).path("dst").asText());
        // The kernel agrees, and the container reaches one on the other host.
        JsonNode link = Sh.ipJson(fixture.ns("c1"), "addr", "show", "dev", "eth0").get(0);
        assertEquals(r.path("interfaces").get(0).path("mac").asText(), link.path("address").asText());
        assertTrue(link.toString().contains("\"local\":\"" + address.substring(0, address.indexOf('/')) + "\""), link.toString());
        assertTrue(LabPing.ping(fixture.ns("c1"), "12.12.12.3").isPresent());

        Proc.Result again = CniShim.run(h, env("ADD", "ctr-one", c1, "eth0"), config("1.1.0", "demo"));
        assertEquals(0, again.exit(), again.out());
        assertEquals(r, json(again), "a repeated ADD gives the same answer");

        String withPrev = "{\"cniVersion\":\"1.1.0\",\"name\":\"demo\",\"type\":\"overlaynet\",\"prevResult\":" + r + "}";
        assertEquals(0, CniShim.run(h, env("CHECK", "ctr-one", c1, "eth0"), withPrev).exit());
        Sh.run("ip", "-n", fixture.ns("c1"), "route", "del", "default");
        Proc.Result broken = CniShim.run(h, env("CHECK", "ctr-one", c1, "eth0"), withPrev);
        assertEquals(1, broken.exit());
        assertEquals(100, json(broken).path("code").asInt());
        assertTrue(json(broken).path("msg").asText().contains("no default route via 12.12.12.1"), broken.out());

        // An address asked for, and an older runtime's version: the address carries "version": "4".
        Map<String, String> withIp = env("ADD", "ctr-two", c2, "eth0");
        withIp.put("CNI_ARGS", "IgnoreUnknown=1;IP=12.12.12.77;K8S_POD_NAME=web");
        Proc.Result old = CniShim.run(h, withIp, config("0.4.0", "demo"));
        assertEquals(0, old.exit(), old.out());
        assertEquals("12.12.12.77/24", json(old).path("ips").get(0).path("address").asText());
        assertEquals("4", json(old).path("ips").get(0).path("version").asText());

        // STATUS: ready.
        assertEquals(0, CniShim.run(h, env("STATUS", "", "", ""), config("1.1.0", "demo")).exit());

        // GC keeps what the runtime still knows, removes the rest (and its address in the store).
        String gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"demo\",\"type\":\"overlaynet\","
                + "\"cni.dev/valid-attachments\":[{\"containerID\":\"ctr-one\",\"ifname\":\"eth0\"}]}";
        assertEquals(0, CniShim.run(h, env("GC", "", "", ""), gc).exit());
        try (Store s = Stores.open(lab.store())) {
            assertTrue(s.get(Keys.endpoint("demo", "12.12.12.77")).isEmpty(), "GC gave the address back");
            assertTrue(s.get(Keys.endpoint("demo", address.substring(0, address.indexOf('/')))).isPresent());
        }

        // DEL, then DEL again, then DEL with no namespace: each succeeds, and nothing is left.
        assertEquals(0, CniShim.run(h, env("DEL", "ctr-one", c1, "eth0"), config("1.1.0", "demo")).exit());
        assertEquals(0, CniShim.run(h, env("DEL", "ctr-one", c1, "eth0"), config("1.1.0", "demo")).exit());
        assertEquals(0, CniShim.run(h, env("DEL", "ctr-one", "", "eth0"), config("1.1.0", "demo")).exit());
        assertTrue(Sh.run("ip", "-n", fixture.ns("c1"), "link", "show", "eth0").exit() != 0,
                "the container's interface is gone");
        try (Store s = Stores.open(lab.store())) {
            assertTrue(s.list(Keys.endpoints("demo")).entries().stream().noneMatch(e -> e.value().contains("cni-")),
                    "no CNI endpoint is left in the store");
        }
    }

    @Test
    void theConflistMaySetALowerMtuAndARangeOfAddresses() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(1, false, "file");
        String h = lab.hosts().getFirst().namespace();
        NetNamespaces.create(fixture.ns("c5")).close();
        String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"demo\",\"type\":\"overlaynet-cni\",\"mtu\":1400,"
                + "\"ipam\":{\"rangeStart\":\"12.12.12.200\",\"rangeEnd\":\"12.12.12.210\"}}";
        Proc.Result add = CniShim.run(h, env("ADD", "ctr-six", "/run/netns/" + fixture.ns("c5"), "eth0"), conf);
        assertEquals(0, add.exit(), add.out());
        assertEquals("12.12.12.200/24", json(add).path("ips").get(0).path("address").asText());
        assertEquals(1400, json(add).path("interfaces").get(0).path("mtu").asInt());
        assertEquals(1400, Sh.ipJson(fixture.ns("c5"), "link", "show", "eth0").get(0).path("mtu").asInt());
        Proc.Result big = CniShim.run(h, env("ADD", "ctr-seven", "/run/netns/" + fixture.ns("c5"), "eth1"),
                conf.replace("1400", "9000"));
        assertEquals(7, json(big).path("code").asInt(), big.out());
        assertTrue(json(big).path("msg").asText().contains("more than network demo's 1450"), big.out());
    }

    @Test
    void badInputGetsTheSpecsCodeAndLeavesNothing() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(1, false, "file");
        String h = lab.hosts().getFirst().namespace();
        NetNamespaces.create(fixture.ns("c3")).close();
        String c3 = "/run/netns/" + fixture.ns("c3");
        record Bad(String what, Map<String, String> env, String config, int code, String says) {
        }
        Map<String, String> outside = env("ADD", "x1", c3, "eth0");
        outside.put("CNI_ARGS", "IP=10.9.9.9");
        List<Bad> cases = List.of(
                new Bad("malformed JSON", env("ADD", "x1", c3, "eth0"), "{\"cniVersion\":", 6, "not JSON"),
                new Bad("no name", env("ADD", "x1", c3, "eth0"), "{\"cniVersion\":\"1.0.0\"}", 7, "no \"name\""),
                new Bad("unsupported version", env("ADD", "x1", c3, "eth0"), config("9.9.9", "demo"), 1, "not supported"),
                new Bad("unknown network", env("ADD", "x1", c3, "eth0"), config("1.0.0", "nosuch"), 7, "not in the store"),
                new Bad("no CNI_NETNS", env("ADD", "x1", "", "eth0"), config("1.0.0", "demo"), 4, "CNI_NETNS is not set"),
                new Bad("IP outside the subnet", outside, config("1.0.0", "demo"), 7, "outside network demo"));
        for (Bad b : cases) {
            Proc.Result r = CniShim.run(h, b.env(), b.config());
            assertEquals(1, r.exit(), b.what() + ": " + r.out());
            JsonNode j = json(r);
            assertEquals(b.code(), j.path("code").asInt(), b.what() + ": " + r.out());
            assertTrue(j.path("msg").asText().contains(b.says()), b.what() + ": " + r.out());
            assertEquals(1, r.out().strip().lines().count(), b.what() + ": one line");
        }
        assertTrue(Sh.run("ip", "-n", fixture.ns("c3"), "link", "show", "eth0").exit() != 0, "no interface was made");
        try (Store s = Stores.open(lab.store())) {
            assertEquals(1, s.list(Keys.endpoints("demo")).entries().size(), "only the lab's own container is claimed");
        }
    }

    @Test
    void withTheAgentDownAddWaitsAndDelIsKeptUntilItReturns() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(1, false, "file");
        String h = lab.hosts().getFirst().namespace();
        NetNamespaces.create(fixture.ns("c4")).close();
        String c4 = "/run/netns/" + fixture.ns("c4");
        Proc.Result add = CniShim.run(h, env("ADD", "ctr-four", c4, "eth0"), config("1.0.0", "demo"));
        assertEquals(0, add.exit(), add.out());
        String ip = json(add).path("ips").get(0).path("address").asText().split("/")[0];

        ProcessHandle agent = ProcessHandle.of(lab.agentPids().getFirst()).orElseThrow();
        agent.destroyForcibly();
        agent.onExit().get(10, TimeUnit.SECONDS);
        Proc.Result later = CniShim.run(h, env("ADD", "ctr-five", c4, "eth1"), config("1.0.0", "demo"));
        assertEquals(11, json(later).path("code").asInt(), later.out());
        Proc.Result status = CniShim.run(h, env("STATUS", "", "", ""), config("1.1.0", "demo"));
        assertEquals(50, json(status).path("code").asInt(), status.out());
        Proc.Result del = CniShim.run(h, env("DEL", "ctr-four", c4, "eth0"), config("1.0.0", "demo"));
        assertEquals(0, del.exit(), "DEL succeeds with the agent down: " + del.out());
        assertEquals(1, CniShim.spooled(h).size());

        Cli.expect(0, List.of("--state-dir", fixture.stateDir.toString()), "lab", "up", "--hosts", "1", "--mode",
                "proactive", "--prefix", fixture.prefix);
        assertTrue(CniShim.spooled(h).isEmpty(), "the returning agent completed the DEL");
        try (Store s = Stores.open(lab.store())) {
            assertTrue(s.get(Keys.endpoint("demo", ip)).isEmpty(), "its address went back");
        }
        assertTrue(Sh.run("ip", "-n", fixture.ns("c4"), "link", "show", "eth0").exit() != 0, "its interface went");
    }
}
