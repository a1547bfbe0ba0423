package io.overlaynet.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.WireGuard;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.packet.IcmpEcho;
import io.overlaynet.netlink.packet.PacketSocket;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.testing.Sh;
import io.overlaynet.testing.LabFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code agent --encrypt} in a lab of two hosts: every pair answers, {@code wg show} (the oracle) lists
 * the other host as a peer at its endpoint, and on node1's underlay device a ping's known byte pattern never
 * shows and no VXLAN datagram passes, only WireGuard. With the tunnel device deleted nothing passes in
 * the clear either, and the agent makes the device again: pings answer within 5 s of that.
 */
class EncryptionTest {
    /** Bytes 16..47 of every echo IcmpEcho sends (its payload counts up from byte 8). */
    private static final byte[] PATTERN = pattern();

    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    private record Seen(int vxlan, int wireguard, int pattern) {
    }

    @Test
    void onlyWireGuardCrossesTheUnderlayEvenWithTheTunnelGone() throws Exception {
        LabRecord lab = fixture.lab().withEncryption().upWithAgents(2, false, "file");
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        List<LabPing.Result> all = LabPing.all(lab);
        assertTrue(all.stream().allMatch(LabPing.Result::ok), all.toString());
        refusedWithoutWireGuard(h1);

        JsonNode status2 = fixture.lab().agent(h2).status();
        // The counters a poller asks for are the status's own.
        JsonNode counters2 = fixture.lab().agent(h2).counters();
        for (String c : List.of("endpointsInStore", "entriesProgrammed", "missesAnswered")) {
            assertTrue(counters2.path(c).isNumber(), c + " in " + counters2);
        }
        assertEquals(status2.path("endpointsInStore").asLong(), counters2.path("endpointsInStore").asLong());
        assertEquals(3, counters2.size(), counters2.toString());
        String key2 = status2.path("wireguard").path("publicKey").asText();
        assertEquals(44, key2.length(), status2.toString());
        String device = WireGuard.deviceName(h1.nsPrefix());
        String wg = Sh.run("wg", "show", device).ok().out();
        assertTrue(wg.contains("peer: " + key2), wg);
        assertTrue(wg.contains("endpoint: " + h2.address() + ":" + WireGuard.PORT), wg);
        assertTrue(wg.contains("allowed ips: " + status2.path("wireguard").path("address").asText().replace("/16", "/32")), wg);
        // The tunnel address is the underlay address's low bits in 100.64.0.0/16; the private key is the owner's alone.
        assertEquals("100.64." + h2.address().substring("192.168.".length()) + "/16",
                status2.path("wireguard").path("address").asText());
        java.nio.file.Path keys = io.overlaynet.dataplane.Host.records(h2.nsPrefix(), fixture.stateDir).root()
                .resolve("wireguard.json");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(keys)));

        Inet4Address to = (Inet4Address) Ip.parse(h2.containers().getFirst().ip());
        try (NetNs from = NetNs.named(h1.containers().getFirst().namespace())) {
            int[] answered = {0};
            Seen up = capture(lab, () -> {
                for (int i = 0; i < 20; i++) {
                    answered[0] += IcmpEcho.ping(from, to, Duration.ofSeconds(1), 56, false).isPresent() ? 1 : 0;
                }
            });
            assertEquals(20, answered[0], "every echo through the tunnel is answered");
            assertEquals(0, up.vxlan(), "no VXLAN datagram on the underlay");
            assertEquals(0, up.pattern(), "the echoes' bytes never show on the underlay");
            assertTrue(up.wireguard() >= 20, "the echoes and replies went as WireGuard: " + up.wireguard());

            long gone = System.nanoTime();
            Sh.run("ip", "-n", h1.namespace(), "link", "del", device).ok();
            long[] answeredAfter = {-1};
            Seen down = capture(lab, () -> {
                while (System.nanoTime() - gone < 10_000_000_000L) {
                    if (IcmpEcho.ping(from, to, Duration.ofMillis(200), 56, false).isPresent()) {
                        answeredAfter[0] = (System.nanoTime() - gone) / 1_000_000;
                        return;
                    }
                }
            });
            assertEquals(0, down.vxlan(), "no VXLAN datagram while the tunnel is gone");
            assertEquals(0, down.pattern(), "nothing in the clear while the tunnel is gone");
            assertTrue(answeredAfter[0] >= 0 && answeredAfter[0] < 6000,
                    "pings answer again within 5 s of the agent making the device again (checked each second): "
                            + answeredAfter[0] + " ms after the deletion");
            System.out.printf("tunnel deleted: answered again %d ms later%n", answeredAfter[0]);
            assertTrue(Sh.run("wg", "show", device).ok().out().contains("peer: " + key2));
        }
        fixture.lab().down();
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains(device)),
                "lab down ends the hosts' wireguard-go");
    }

    /** Neither kernel WireGuard (this kernel) nor wireguard-go on the PATH: --encrypt is refused in one line. */
    private void refusedWithoutWireGuard(LabHost h) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(io.overlaynet.testing.Cli.inOwnJvm("agent", "--encrypt", "--store",
                "file://" + fixture.stateDir.resolve("lonely-store"), "--host-ns", h.namespace(), "--ns-prefix",
                h.nsPrefix() + "x-", "--state-dir", fixture.stateDir.toString(), "--underlay", "eth1",
                "--api-socket", fixture.stateDir.resolve("x.sock").toString()));
        pb.environment().put("PATH", fixture.stateDir.resolve("empty-path").toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(1, p.waitFor(), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("apt-get install wireguard-go"), out);
    }

    /**
     * Frames on node1's underlay device (eth1, both ways) while {@code traffic} runs: VXLAN, WireGuard,
     * and those with the pattern. (The underlay bridge's own device would see only what is flooded to it.)
     */
    private static Seen capture(LabRecord lab, Runnable traffic) throws Exception {
        try (NetNs u = NetNs.named(lab.hosts().getFirst().namespace()); Rtnl rt = Rtnl.open(u);
             PacketSocket s = PacketSocket.open(u, rt.links().index("eth1"), PacketSocket.ETH_P_ALL)) {
            Thread t = Thread.ofPlatform().start(traffic);
            int vxlan = 0;
            int wireguard = 0;
            int pattern = 0;
            // Until the traffic is done and the socket has nothing more (the last reply may trail it).
            while (true) {
                boolean done = !t.isAlive();
                Optional<byte[]> f = s.receive(Duration.ofMillis(done ? 200 : 50));
                if (f.isEmpty()) {
                    if (done) {
                        break;
                    }
                    continue;
                }
                byte[] b = f.get();
                if (b.length > 14 + 20 + 4 && b[12] == 0x08 && b[13] == 0x00 && b[14 + 9] == 17) {
                    int ihl = (b[14] & 0x0f) * 4;
                    int dport = ((b[14 + ihl + 2] & 0xff) << 8) | (b[14 + ihl + 3] & 0xff);
                    int sport = ((b[14 + ihl] & 0xff) << 8) | (b[14 + ihl + 1] & 0xff);
                    if (dport == 4789) {
                        vxlan++;
                    }
                    if (dport == WireGuard.PORT || sport == WireGuard.PORT) {
                        wireguard++;
                    }
                }
                if (contains(b, PATTERN)) {
                    pattern++;
                }
            }
            t.join();
            return new Seen(vxlan, wireguard, pattern);
        }
    }

    private static byte[] pattern() {
        byte[] p = new byte[32];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (16 + i);
        }
        return p;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
