package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.rtnl.wire.IfInfoMsg;
import io.overlaynet.netlink.rtnl.wire.Ifla;
import io.overlaynet.netlink.rtnl.wire.IflaBridge;
import io.overlaynet.netlink.rtnl.wire.IflaVxlan;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/** Turns {@link LinkSpec}s into RTM_NEWLINK bodies and RTM_NEWLINK messages into {@link Link}s. */
final class LinkCodec {
    /** USER_HZ: the bridge counts ageing in centiseconds. */
    private static final int CENTIS_PER_SECOND = 100;

    private LinkCodec() {
    }

    static void writeNew(MessageWriter w, LinkSpec spec) {
        int upFlag = spec.up() ? Rtm.IFF_UP : 0;
        w.body(new IfInfoMsg(Rtm.AF_UNSPEC, 0, 0, upFlag, upFlag));
        w.put(Ifla.IFNAME, spec.name());
        spec.mtu().ifPresent(m -> w.put(Ifla.MTU, m));
        spec.mac().ifPresent(m -> w.put(Ifla.ADDRESS, m));
        spec.master().ifPresent(m -> w.put(Ifla.MASTER, m));
        spec.namespace().ifPresent(ns -> w.put(Ifla.NET_NS_FD, ns.fd()));
        spec.alias().ifPresent(a -> w.put(Ifla.IFALIAS, a));
        putQueues(w, spec.queues());
        if (spec.kind() instanceof LinkKind.Macvlan m) {
            w.put(Ifla.LINK, m.lowerIndex());
        }
        w.nest(Ifla.LINKINFO).put(Ifla.Info.KIND, spec.kind().kind());
        switch (spec.kind()) {
            case VxlanSpec v -> writeVxlan(w.nest(Ifla.Info.DATA), v).endNest();
            case LinkKind.Veth v -> writeVethPeer(w.nest(Ifla.Info.DATA), v, spec.queues()).endNest();
            case LinkKind.Bridge b -> {
                if (b.ageingSeconds().isPresent()) {
                    w.nest(Ifla.Info.DATA).put(IflaBridge.AGEING_TIME, b.ageingSeconds().get() * CENTIS_PER_SECOND)
                            .endNest();
                }
            }
            case LinkKind.Dummy d -> {
            }
            case LinkKind.Macvlan m -> w.nest(Ifla.Info.DATA).put(Ifla.Macvlan.MODE, LinkKind.Macvlan.MODE_BRIDGE).endNest();
        }
        w.endNest();
    }

    private static void putQueues(MessageWriter w, Optional<Integer> queues) {
        queues.ifPresent(q -> w.put(Ifla.NUM_TX_QUEUES, q).put(Ifla.NUM_RX_QUEUES, q));
    }

    private static MessageWriter writeVethPeer(MessageWriter w, LinkKind.Veth v, Optional<Integer> queues) {
        w.nest(Ifla.Veth.PEER).body(IfInfoMsg.of(0)).put(Ifla.IFNAME, v.peerName());
        putQueues(w, queues);
        v.peerMtu().ifPresent(m -> w.put(Ifla.MTU, m));
        v.peerMac().ifPresent(m -> w.put(Ifla.ADDRESS, m));
        v.peerNamespace().ifPresent(ns -> w.put(Ifla.NET_NS_FD, ns.fd()));
        return w.endNest();
    }

    private static MessageWriter writeVxlan(MessageWriter w, VxlanSpec v) {
        w.put(IflaVxlan.ID, v.vni());
        v.group().ifPresent(g -> w.put(g instanceof Inet4Address ? IflaVxlan.GROUP : IflaVxlan.GROUP6, g));
        v.local().ifPresent(a -> w.put(a instanceof Inet4Address ? IflaVxlan.LOCAL : IflaVxlan.LOCAL6, a));
        v.device().ifPresent(d -> w.put(IflaVxlan.LINK, d));
        v.ttl().ifPresent(t -> w.put(IflaVxlan.TTL, t));
        v.learning().ifPresent(l -> w.put(IflaVxlan.LEARNING, l ? 1 : 0));
        if (v.proxy()) {
            w.put(IflaVxlan.PROXY, 1);
        }
        if (v.l2miss()) {
            w.put(IflaVxlan.L2MISS, 1);
        }
        if (v.l3miss()) {
            w.put(IflaVxlan.L3MISS, 1);
        }
        v.ageing().ifPresent(a -> w.put(IflaVxlan.AGEING, a));
        v.udpCsum().ifPresent(c -> w.put(IflaVxlan.UDP_CSUM, c ? 1 : 0));
        v.port().ifPresent(p -> w.put(IflaVxlan.PORT, p));
        return w;
    }

    static Link decode(NlMsg m) {
        return io.overlaynet.netlink.codec.CodecException.guard("link", () -> decodeUnchecked(m));
    }

    private static Link decodeUnchecked(NlMsg m) {
        IfInfoMsg info = IfInfoMsg.decode(m.payloadBuffer());
        Attrs a = m.attrs(IfInfoMsg.SIZE);
        Optional<Attrs> linkInfo = a.get(Ifla.LINKINFO);
        Optional<String> kind = linkInfo.flatMap(li -> li.get(Ifla.Info.KIND));
        Optional<VxlanSpec> vxlan = kind.filter("vxlan"::equals)
                .flatMap(k -> linkInfo.get().get(Ifla.Info.DATA)).map(LinkCodec::decodeVxlan);
        return new Link(info.index(), a.get(Ifla.IFNAME).orElse(""), info.flags(), a.get(Ifla.MTU).orElse(0),
                a.get(Ifla.ADDRESS), a.get(Ifla.MASTER).orElse(0), kind, a.get(Ifla.IFALIAS),
                a.get(Ifla.LINK_NETNSID), a.get(Ifla.LINK), vxlan, a);
    }

    static VxlanSpec decodeVxlan(Attrs d) {
        VxlanSpec v = VxlanSpec.of(d.get(IflaVxlan.ID).orElseThrow());
        Optional<InetAddress> group = d.get(IflaVxlan.GROUP).or(() -> d.get(IflaVxlan.GROUP6));
        Optional<InetAddress> local = d.get(IflaVxlan.LOCAL).or(() -> d.get(IflaVxlan.LOCAL6));
        if (group.isPresent()) {
            v = v.group(group.get());
        }
        if (local.isPresent()) {
            v = v.local(local.get());
        }
        Optional<Integer> dev = d.get(IflaVxlan.LINK).filter(i -> i != 0);
        if (dev.isPresent()) {
            v = v.device(dev.get());
        }
        if (d.get(IflaVxlan.PORT).isPresent()) {
            v = v.port(d.get(IflaVxlan.PORT).get());
        }
        if (d.get(IflaVxlan.TTL).isPresent()) {
            v = v.ttl(d.get(IflaVxlan.TTL).get());
        }
        if (d.get(IflaVxlan.LEARNING).isPresent()) {
            v = v.learning(d.get(IflaVxlan.LEARNING).get() != 0);
        }
        if (d.get(IflaVxlan.AGEING).isPresent()) {
            v = v.ageing(d.get(IflaVxlan.AGEING).get());
        }
        if (d.get(IflaVxlan.UDP_CSUM).isPresent()) {
            v = v.udpCsum(d.get(IflaVxlan.UDP_CSUM).get() != 0);
        }
        return v.proxy(d.get(IflaVxlan.PROXY).orElse(0) != 0)
                .l2miss(d.get(IflaVxlan.L2MISS).orElse(0) != 0)
                .l3miss(d.get(IflaVxlan.L3MISS).orElse(0) != 0);
    }
}
