package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.rtnl.wire.Rta;
import io.overlaynet.netlink.rtnl.wire.RtMsg;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.Request;

import java.util.List;
import java.util.Optional;

/** {@code ip route}: add, replace, delete and list routes in the main table (or the one given). */
public final class RouteOps {
    private final Rtnl rt;

    RouteOps(Rtnl rt) {
        this.rt = rt;
    }

    /** {@code ip route add ROUTE}. */
    public void add(Route r) {
        rt.connection().execute(request(Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, r, "route add"));
    }

    /** {@code ip route replace ROUTE}. */
    public void replace(Route r) {
        rt.connection().execute(request(Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, r,
                "route replace"));
    }

    /** {@code ip route del ROUTE}. */
    public void delete(Route r) {
        rt.connection().execute(request(Rtm.DELROUTE, 0, r, "route del"));
    }

    public Request request(int type, int flags, Route r, String op) {
        return new Request(type, flags, w -> {
            int dstLen = r.destination().map(IpPrefix::length).orElse(0);
            w.body(new RtMsg(r.family(), dstLen, 0, 0, r.table() < 256 ? r.table() : 0, r.protocol(), r.scope(),
                    r.type(), r.onlink() ? Rtm.RTNH_F_ONLINK : 0));
            r.destination().filter(d -> d.length() > 0).ifPresent(d -> w.put(Rta.DST, d.network().address()));
            r.gateway().ifPresent(g -> w.put(Rta.GATEWAY, g));
            r.device().ifPresent(d -> w.put(Rta.OIF, d));
            r.metric().ifPresent(m -> w.put(Rta.PRIORITY, m));
            r.source().ifPresent(s -> w.put(Rta.PREFSRC, s));
            if (r.advmss().isPresent() || r.congestionControl().isPresent()) {
                w.nest(Rta.METRICS);
                r.advmss().ifPresent(m -> w.put(Rta.Metrics.ADVMSS, m));
                r.congestionControl().ifPresent(c -> w.put(Rta.Metrics.CC_ALGO, c));
                w.endNest();
            }
            if (r.table() >= 256) {
                w.put(Rta.TABLE, r.table());
            }
        }, op, () -> r + rt.where());
    }

    /** {@code ip route show} for one family (AF_INET or AF_INET6), main table. */
    public List<Route> list(int family) {
        List<NlMsg> msgs = rt.connection().dump(new Request(Rtm.GETROUTE, 0,
                w -> w.body(new RtMsg(family, 0, 0, 0, 0, 0, 0, 0, 0)), "route show", rt.where().trim()));
        return msgs.stream().filter(m -> m.type() == Rtm.NEWROUTE).map(RouteOps::decode)
                .filter(r -> r.table() == Rtm.RT_TABLE_MAIN).toList();
    }

    /**
     * {@code ip route get DST}: the route the kernel would use for {@code destination} (all tables, rules
     * applied). A destination with no usable route (none, unreachable, blackhole, prohibit) is refused by
     * the kernel: a {@link io.overlaynet.netlink.NetlinkException} carrying its errno.
     */
    public Route get(java.net.InetAddress destination) {
        int family = destination.getAddress().length == 4 ? Rtm.AF_INET : Rtm.AF_INET6;
        int length = destination.getAddress().length * 8;
        List<NlMsg> msgs = rt.connection().query(new Request(Rtm.GETROUTE, 0, w -> {
            w.body(new RtMsg(family, length, 0, 0, 0, 0, 0, 0, 0));
            w.put(Rta.DST, destination);
        }, "route get", () -> destination.getHostAddress() + rt.where()));
        return msgs.stream().filter(m -> m.type() == Rtm.NEWROUTE).map(RouteOps::decode).findFirst()
                .orElseThrow(() -> new IllegalStateException("no answer to route get " + destination.getHostAddress()));
    }

    static Route decode(NlMsg m) {
        return io.overlaynet.netlink.codec.CodecException.guard("route", () -> decodeUnchecked(m));
    }

    private static Route decodeUnchecked(NlMsg m) {
        RtMsg h = RtMsg.decode(m.payloadBuffer());
        Attrs a = m.attrs(RtMsg.SIZE);
        Optional<IpPrefix> dst = a.get(Rta.DST).map(d -> new IpPrefix(d, h.dstLength()));
        int table = a.get(Rta.TABLE).orElse(h.table());
        return new Route(h.family(), dst, a.get(Rta.GATEWAY), a.get(Rta.OIF), table, h.protocol(), h.scope(),
                h.type(), (h.flags() & Rtm.RTNH_F_ONLINK) != 0, a.get(Rta.PRIORITY), a.get(Rta.PREFSRC),
                a.get(Rta.METRICS).flatMap(metrics -> metrics.get(Rta.Metrics.ADVMSS)),
                a.get(Rta.METRICS).flatMap(metrics -> metrics.get(Rta.Metrics.CC_ALGO)));
    }
}
