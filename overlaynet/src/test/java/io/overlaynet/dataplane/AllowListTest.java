package io.overlaynet.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VTEP allow-list against an attacker on the lab's underlay (a namespace plugged into the underlay
 * bridge, not a member): 1,000 forged VXLAN datagrams for network demo, half a gratuitous ARP that
 * claims the gateway's address, half an ICMP echo to a container, sent to node1 while node2's
 * container pings node1's. With the allow-list (the default) nothing reaches node1's bridge, the drop
 * counter says 1,000, the container's ARP entry for the gateway stays and no echo is lost. Without it
 * the same attack lands: the test sees it.
 */
class AllowListTest {
    private static final byte[] ATTACKER_MAC = {0x02, 0x66, 0x66, 0x66, 0x66, 0x66};
    private static final String ATTACKER_IP = "192.168.104.250";
    private static final int FORGED = 1000;

    @RegisterExtension
    final LabFixture fixture = new LabFixture();

    private record Attack(int framesOnBridge, String gatewayMacBefore, String gatewayMacAfter, int pings, int lost) {
    }

    @Test
    void forgedDatagramsFromANonMemberAreDroppedAndCounted() throws Exception {
        LabRecord lab = fixture.up(3, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        String table;
        try (Host h = hostOf(h1)) {
            table = AllowList.table(h);
        }
        // The members: the other hosts' VTEPs, put there by the peers the lab wired; nft is the oracle.
        assertEquals(Set.of(lab.hosts().get(1).address(), lab.hosts().get(2).address()), elements(h1, table, "peers"));
        Attack a = attack(lab);
        assertEquals(0, a.framesOnBridge(), "no forged frame reaches node1's bridge");
        assertEquals(a.gatewayMacBefore(), a.gatewayMacAfter(), "the container's ARP entry for the gateway is unchanged");
        assertEquals(0, a.lost(), "no echo of the concurrent ping is lost (" + a.pings() + " sent)");
        String chain = Sh.run("ip", "netns", "exec", h1.namespace(), "nft", "list", "chain", "ip", table, "input").ok().out();
        assertTrue(chain.contains("counter packets " + FORGED + " "), chain);
        try (Host h = hostOf(h1)) {
            assertEquals(FORGED, AllowList.drops(h).get("demo"));
        }
    }

    @Test
    void withoutTheAllowListTheSameAttackLands() throws Exception {
        LabRecord lab = fixture.lab().withoutAllowList().up(3, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        String tables = Sh.run("ip", "netns", "exec", h1.namespace(), "nft", "list", "tables").ok().out();
        assertFalse(tables.contains("overlaynet_vteps"), tables);
        Attack a = attack(lab);
        assertTrue(a.framesOnBridge() > 0, "forged frames reach node1's bridge");
        assertNotEquals(a.gatewayMacBefore(), a.gatewayMacAfter(), "the gratuitous ARP poisons the container's entry");
        assertEquals(mac(ATTACKER_MAC), a.gatewayMacAfter());
    }

    /** A peer removed is a VTEP let go; the network removed takes the table with it. */
    @Test
    void peersComeAndGoWithTheirRecords() throws Exception {
        LabRecord lab = fixture.up(3, new Mode.Static());
        LabHost h1 = lab.hosts().get(0);
        LabHost h3 = lab.hosts().get(2);
        try (Host h = hostOf(h1)) {
            String table = AllowList.table(h);
            Peers peers = new Peers(h);
            for (Records.PeerRecord p : peers.list(Optional.of("demo"))) {
                if (p.vtep().equals(h3.address())) {
                    peers.remove("demo", p.ip().map(Ip::parse), Optional.of(Ip.parse(p.vtep())));
                }
            }
            assertEquals(Set.of(lab.hosts().get(1).address()), elements(h1, table, "peers"));
            peers.addEndpoint("demo", Ip.parse("12.12.12.77"), Optional.empty(), Ip.parse(h3.address()));
            assertEquals(Set.of(lab.hosts().get(1).address(), h3.address()), elements(h1, table, "peers"));
            new Networks(h).remove("demo");
            String tables = Sh.run("ip", "netns", "exec", h1.namespace(), "nft", "list", "tables").ok().out();
            assertFalse(tables.contains(table), tables);
        }
    }

    private Host hostOf(LabHost h) {
        return Host.open(h.nsPrefix(), fixture.stateDir, Optional.of(h.namespace()));
    }

    private static Set<String> elements(LabHost h, String table, String set) {
        JsonNode j = Sh.json("ip", "netns", "exec", h.namespace(), "nft", "-j", "list", "set", "ip", table, set);
        Set<String> out = new HashSet<>();
        for (JsonNode o : j.path("nftables")) {
            o.path("set").path("elem").forEach(e -> out.add(e.asText()));
        }
        return out;
    }

    /**
     * Plugs an attacker into the underlay, makes node1's container resolve its gateway, then sends the
     * forged datagrams (a millisecond apart) while node2's container pings node1's every 10 ms.
     */
    private Attack attack(LabRecord lab) throws Exception {
        LabHost h1 = lab.hosts().get(0);
        LabHost h2 = lab.hosts().get(1);
        String victim = h1.containers().getFirst().namespace();
        String victimIp = h1.containers().getFirst().ip();
        byte[] victimMac = macBytes(h1.containers().getFirst().mac());
        String atk = fixture.ns("atk");
        Sh.run("ip", "netns", "add", atk).ok();
        Sh.run("ip", "-n", lab.underlayNamespace(), "link", "add", "atk0", "type", "veth", "peer", "name", "eth0",
                "netns", atk).ok();
        Sh.run("ip", "-n", lab.underlayNamespace(), "link", "set", "atk0", "master", "ubr0", "up").ok();
        Sh.run("ip", "-n", atk, "addr", "add", ATTACKER_IP + "/24", "dev", "eth0").ok();
        Sh.run("ip", "-n", atk, "link", "set", "eth0", "up").ok();
        try (NetNs v = NetNs.named(victim)) {
            assertTrue(IcmpEcho.ping(v, (Inet4Address) Ip.parse("12.12.12.1"), Duration.ofSeconds(2)).isPresent(),
                    "the container reaches its gateway before the attack");
        }
        String before = gatewayMac(victim);
        byte[] arp = vxlan(42, garp());
        byte[] icmp = vxlan(42, echo(victimMac, victimIp));
        try (NetNs o = NetNs.named(h1.overlayNamespace()); Rtnl rt = Rtnl.open(o);
             PacketSocket seen = PacketSocket.open(o, rt.links().index("vxlan1"), PacketSocket.ETH_P_ALL);
             NetNs from = NetNs.named(h2.containers().getFirst().namespace()); NetNs attacker = NetNs.named(atk)) {
            AtomicInteger pings = new AtomicInteger();
            AtomicInteger lost = new AtomicInteger();
            CompletableFuture<Void> sent = new CompletableFuture<>();
            Thread pinger = Thread.ofPlatform().start(() -> {
                Inet4Address to = (Inet4Address) Ip.parse(victimIp);
                while (!sent.isDone() || pings.get() < 20) {
                    pings.incrementAndGet();
                    if (IcmpEcho.ping(from, to, Duration.ofSeconds(1)).isEmpty()) {
                        lost.incrementAndGet();
                    }
                    sleep(10);
                }
            });
            attacker.call(() -> {
                try (DatagramChannel tx = DatagramChannel.open().bind(new InetSocketAddress(ATTACKER_IP, 0))) {
                    InetSocketAddress to = new InetSocketAddress(h1.address(), 4789);
                    for (int i = 0; i < FORGED; i++) {
                        tx.send(ByteBuffer.wrap(i % 2 == 0 ? arp : icmp), to);
                        if (i % 10 == 9) {
                            sleep(10);
                        }
                    }
                }
                return null;
            });
            sent.complete(null);
            pinger.join();
            int frames = 0;
            for (Optional<byte[]> f = seen.receive(Duration.ofMillis(300)); f.isPresent();
                 f = seen.receive(Duration.ofMillis(100))) {
                if (java.util.Arrays.equals(f.get(), 6, 12, ATTACKER_MAC, 0, 6)) {
                    frames++;
                }
            }
            return new Attack(frames, before, gatewayMac(victim), pings.get(), lost.get());
        }
    }

    private static String gatewayMac(String ns) {
        JsonNode n = Sh.ipJson(ns, "neigh", "show", "12.12.12.1");
        return n.size() == 0 ? "" : n.get(0).path("lladdr").asText();
    }

    /** A gratuitous ARP request: "12.12.12.1 is at ATTACKER_MAC", broadcast. */
    private static byte[] garp() {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(new byte[]{-1, -1, -1, -1, -1, -1}).put(ATTACKER_MAC).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(ATTACKER_MAC).put(Ip.parse("12.12.12.1").getAddress()).put(new byte[6]).put(Ip.parse("12.12.12.1").getAddress());
        return b.array();
    }

    /** An ICMP echo request from 12.12.12.9 to the container, addressed to its MAC. */
    private static byte[] echo(byte[] toMac, String toIp) {
        ByteBuffer ip = ByteBuffer.allocate(36);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) 36).putShort((short) 0).putShort((short) 0)
                .put((byte) 64).put((byte) 1).putShort((short) 0)
                .put(Ip.parse("12.12.12.9").getAddress()).put(Ip.parse(toIp).getAddress());
        ip.putShort(10, checksum(ip.array(), 0, 20));
        ip.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x6666).putShort((short) 1).putLong(0x4f564c4e45544f4eL);
        ip.putShort(22, checksum(ip.array(), 20, 16));
        ByteBuffer b = ByteBuffer.allocate(14 + 36);
        b.put(toMac).put(ATTACKER_MAC).putShort((short) 0x0800).put(ip.array());
        return b.array();
    }

    private static short checksum(byte[] a, int off, int len) {
        long sum = 0;
        for (int i = off; i < off + len; i += 2) {
            sum += ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    /** The VXLAN header (flags: VNI valid) before the frame. */
    private static byte[] vxlan(int vni, byte[] frame) {
        return ByteBuffer.allocate(8 + frame.length).put((byte) 0x08).put(new byte[3])
                .put((byte) (vni >> 16)).put((byte) (vni >> 8)).put((byte) vni).put((byte) 0).put(frame).array();
    }

    private static byte[] macBytes(String mac) {
        String[] p = mac.split(":");
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) Integer.parseInt(p[i], 16);
        }
        return out;
    }

    private static String mac(byte[] b) {
        List<String> p = new ArrayList<>();
        for (byte x : b) {
            p.add(String.format("%02x", x));
        }
        return String.join(":", p);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
