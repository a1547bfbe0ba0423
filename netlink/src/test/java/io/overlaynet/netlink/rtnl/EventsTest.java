package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.testing.TempNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Event subscription: a container on the walkthroughs' dynamic overlay (vxlan1 with nolearning, proxy, l2miss,
 * l3miss) sends to an unknown IP; the kernel asks user space first for the IP (L3 miss) and, once the
 * neighbour entry exists, for the MAC (L2 miss). Our own writes show up as ordinary changes.
 */
class EventsTest {
    @RegisterExtension
    final TempNamespaces namespaces = new TempNamespaces();

    @Test
    void l3ThenL2MissesAreToldApartFromOrdinaryChanges() {
        NetNs overlay = namespaces.create("ovl");
        NetNs ctr = namespaces.create("ctr");
        Rtnl rt = namespaces.rtnl(overlay);
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).up(true));
        int br = rt.links().index("br0");
        rt.links().add(LinkSpec.of("vxlan1", VxlanSpec.of(42).port(4789).proxy(true).learning(false)
                .l2miss(true).l3miss(true)).master(br).up(true));
        int vxlan = rt.links().index("vxlan1");
        rt.links().add(LinkSpec.of("veth0", LinkKind.Veth.peer("eth0").in(ctr)).master(br).up(true));
        Rtnl inCtr = namespaces.rtnl(ctr);
        inCtr.links().setUp("eth0");
        inCtr.addresses().add("eth0", IpPrefix.parse("12.12.12.2/24"));

        InetAddress target = Ip.parse("12.12.12.9");
        MacAddress targetMac = MacAddress.parse("02:42:0c:0c:0c:09");
        try (EventSubscription events = rt.subscribe(EventSubscription.Group.NEIGH, EventSubscription.Group.LINK)) {
            sendUdp(ctr, target);
            // IPv6 link-local solicitations crossing the proxy device miss too: wait for ours.
            RtEvent.L3Miss l3 = (RtEvent.L3Miss) await(events, e -> e instanceof RtEvent.L3Miss m && m.ip().equals(target),
                    ctr, target);
            assertEquals(target, l3.ip());
            assertEquals(vxlan, l3.index());

            rt.neighbours().add(Neighbour.permanent(vxlan, target, targetMac));
            RtEvent.NeighbourChange change = (RtEvent.NeighbourChange) await(events,
                    e -> e instanceof RtEvent.NeighbourChange n && n.neighbour().ip().equals(target), ctr, null);
            assertTrue(change.added() && change.neighbour().isPermanent());

            RtEvent.L2Miss l2 = (RtEvent.L2Miss) await(events, e -> e instanceof RtEvent.L2Miss m
                    && m.mac().equals(targetMac), ctr, target);
            assertEquals(vxlan, l2.index());

            rt.fdb().add(FdbEntry.toVtep(vxlan, targetMac, Ip.parse("192.168.104.3")));
            RtEvent.FdbChange fdb = (RtEvent.FdbChange) await(events,
                    e -> e instanceof RtEvent.FdbChange f && f.entry().mac().equals(targetMac), ctr, null);
            assertEquals(Ip.parse("192.168.104.3"), fdb.entry().dst().orElseThrow());
        }
    }

    /** Polls until an event matches, re-sending traffic (the kernel drops the packet that missed). */
    private static RtEvent await(EventSubscription events, Predicate<RtEvent> match, NetNs ctr, InetAddress resend) {
        List<RtEvent> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (RtEvent e : events.poll(Duration.ofMillis(300))) {
                if (match.test(e)) {
                    return e;
                }
                seen.add(e);
            }
            if (resend != null) {
                sendUdp(ctr, resend);
            }
        }
        throw new AssertionError("expected event not seen; got " + seen);
    }

    private static void sendUdp(NetNs ns, InetAddress to) {
        ns.run(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(new byte[]{1}, 1, new InetSocketAddress(to, 9)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
