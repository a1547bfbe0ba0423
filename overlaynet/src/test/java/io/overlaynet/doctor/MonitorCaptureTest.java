package io.overlaynet.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.Cli;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code monitor} and {@code capture} against the tools they replace: what {@code tcpdump} decodes of
 * the same datagrams, and the entries iproute2 added and removed; a reactive agent's answer to a miss is
 * shown as one; Ctrl-C ends a monitor cleanly.
 */
class MonitorCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    @Test
    void captureDecodesWhatTcpdumpDecodes() throws Exception {
        LabRecord lab = fixture.up(2, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        Process capture = start("capture", "--network", "demo", "--count", "6", "-o", "json", "--host-ns", h1.namespace(),
                "--ns-prefix", h1.nsPrefix(), "--state-dir", fixture.stateDir.toString());
        awaitReady(capture);
        Process tcpdump = new ProcessBuilder("nsenter", "--net=/run/netns/" + h1.namespace(), "tcpdump", "-nn", "-l",
                "-i", "eth1", "-c", "20", "udp", "port", "4789").redirectErrorStream(false).start();
        Thread.sleep(1500); // tcpdump says it listens before its filter is attached
        Sh.Result ping = Sh.run("ip", "netns", "exec", h1.containers().getFirst().namespace(), "ping", "-c", "10", "-i",
                "0.2", "12.12.12.3");
        assertEquals(0, ping.exit(), ping.out());
        assertTrue(capture.waitFor(10, TimeUnit.SECONDS), "capture ends after --count frames");
        assertEquals(0, capture.exitValue());
        assertTrue(tcpdump.waitFor(10, TimeUnit.SECONDS), "tcpdump saw 20 packets");
        String oracle = new String(tcpdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<JsonNode> frames = lines(capture);
        assertEquals(6, frames.size());
        for (JsonNode line : frames) {
            JsonNode f = line.path("frame");
            assertEquals("demo", line.path("network").asText());
            assertEquals(42, f.path("vni").asInt());
            assertEquals("icmp", f.path("protocol").asText(), f.toString());
            // tcpdump prints the outer datagram, then the inner packet, on two lines.
            String outer = "IP " + f.path("outerSrc").asText() + "." + f.path("outerSrcPort").asInt() + " > "
                    + f.path("outerDst").asText() + ".4789: VXLAN, flags [I] (0x08), vni 42\nIP " + f.path("inner").asText();
            assertTrue(oracle.contains(outer), "tcpdump shows the same frame:\n" + outer + "\n--- tcpdump:\n" + oracle);
        }
        assertTrue(frames.stream().anyMatch(f -> f.path("frame").path("inner").asText().contains("echo reply")));
    }

    @Test
    void monitorNamesWhatIproute2DidAndTheAgentsAnswerToAMiss() throws Exception {
        LabRecord lab = fixture.lab().upWithAgents(2, true, "file");
        LabHost h1 = lab.hosts().get(0);
        String ovl = h1.overlayNamespace();
        Process monitor = start("monitor", "-o", "json", "--host-ns", h1.namespace(), "--state-dir",
                fixture.stateDir.toString());
        awaitReady(monitor);
        Process oracle = new ProcessBuilder("ip", "-n", ovl, "monitor", "neigh").start();
        Thread.sleep(500);
        // A miss the reactive agent answers, then entries made and removed by hand.
        Sh.run("ip", "netns", "exec", h1.containers().getFirst().namespace(), "ping", "-c", "1", "-W", "2", "12.12.12.3");
        sh("ip", "-n", ovl, "neigh", "replace", "12.12.12.99", "lladdr", "02:42:0c:0c:0c:63", "dev", "vxlan1", "nud", "permanent");
        sh("bridge", "-n", ovl, "fdb", "add", "02:42:0c:0c:0c:63", "dev", "vxlan1", "dst", "192.168.104.3", "self", "permanent");
        sh("bridge", "-n", ovl, "fdb", "del", "02:42:0c:0c:0c:63", "dev", "vxlan1", "dst", "192.168.104.3", "self");
        sh("ip", "-n", ovl, "neigh", "del", "12.12.12.99", "dev", "vxlan1");
        Thread.sleep(1000);
        Sh.run("kill", "-INT", Long.toString(monitor.pid()));
        assertTrue(monitor.waitFor(5, TimeUnit.SECONDS), "Ctrl-C ends the monitor");
        Sh.run("kill", Long.toString(oracle.pid())); // ends ip monitor, leaving its output to read
        assertTrue(oracle.waitFor(5, TimeUnit.SECONDS));
        String err = new String(monitor.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertFalse(err.contains("Exception"), err);
        String ipSaw = new String(oracle.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<JsonNode> events = lines(monitor);
        String all = events.toString();
        JsonNode miss = find(events, "miss-arp", "12.12.12.3", all);
        assertEquals("vxlan1", miss.path("device").asText());
        JsonNode answer = find(events, "arp-add", "12.12.12.3", all);
        assertTrue(answer.path("answersMiss").asBoolean(), "the agent's entry answers the miss: " + answer);
        assertEquals("02:42:0c:0c:0c:03", answer.path("mac").asText());
        JsonNode added = find(events, "arp-add", "12.12.12.99", all);
        assertEquals("02:42:0c:0c:0c:63", added.path("mac").asText());
        assertEquals("PERMANENT", added.path("state").asText());
        find(events, "arp-del", "12.12.12.99", all);
        JsonNode fdb = events.stream().filter(e -> e.path("kind").asText().equals("fdb-add")
                && e.path("mac").asText().equals("02:42:0c:0c:0c:63")).findFirst().orElseThrow(() -> new AssertionError(all));
        assertEquals("192.168.104.3", fdb.path("vtep").asText());
        assertTrue(events.stream().anyMatch(e -> e.path("kind").asText().equals("fdb-del")
                && e.path("mac").asText().equals("02:42:0c:0c:0c:63")), all);
        // iproute2 saw the same neighbour changes on the same device.
        assertTrue(ipSaw.contains("12.12.12.99 dev vxlan1 lladdr 02:42:0c:0c:0c:63 PERMANENT"), ipSaw);
        assertTrue(ipSaw.contains("Deleted 12.12.12.99 dev vxlan1"), ipSaw);
        assertTrue(ipSaw.contains("miss 12.12.12.3 dev vxlan1") || ipSaw.contains("12.12.12.3 dev vxlan1"), ipSaw);
    }

    private static JsonNode find(List<JsonNode> events, String kind, String ip, String all) {
        return events.stream().filter(e -> e.path("kind").asText().equals(kind) && e.path("ip").asText().equals(ip))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + ip + " in " + all));
    }

    private static Process start(String... args) throws Exception {
        return new ProcessBuilder(Cli.inOwnJvm(args)).start();
    }

    /** Waits for the one line the command writes to stderr once it listens. */
    private static void awaitReady(Process p) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line = err.readLine();
        assertTrue(line != null && (line.startsWith("watching") || line.startsWith("capturing")), "ready line: " + line);
    }

    private static List<JsonNode> lines(Process p) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!l.isBlank()) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }

    private static void sh(String... cmd) {
        Sh.Result r = Sh.run(cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.out());
    }
}
