package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.Codecs;
import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.rtnl.wire.Nda;
import io.overlaynet.netlink.rtnl.wire.NdMsg;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.Request;

import java.net.InetAddress;
import java.util.List;

/**
 * {@code ip neigh}: add, replace, delete and list neighbour entries. Add, replace and append are one
 * request that differs only in its flags.
 */
public final class NeighbourOps {
    private final Rtnl rt;

    NeighbourOps(Rtnl rt) {
        this.rt = rt;
    }

    /** {@code ip neigh add IP lladdr MAC dev DEV nud permanent}. */
    public void add(Neighbour n) {
        rt.connection().execute(addRequest(n));
    }

    /** {@code ip neigh replace ...}: creates or overwrites. */
    public void replace(Neighbour n) {
        rt.connection().execute(replaceRequest(n));
    }

    /** {@code ip neigh del IP dev DEV}. */
    public void delete(int index, InetAddress ip) {
        rt.connection().execute(deleteRequest(index, ip));
    }

    public Request addRequest(Neighbour n) {
        return write(n, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, "neigh add");
    }

    public Request replaceRequest(Neighbour n) {
        return write(n, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, "neigh replace");
    }

    public Request deleteRequest(int index, InetAddress ip) {
        return new Request(Rtm.DELNEIGH, 0, w -> w.body(new NdMsg(Codecs.family(ip), index, 0, 0, 0))
                .put(Nda.DST, ip), "neigh del", ip.getHostAddress() + " dev " + rt.devName(index) + rt.where());
    }

    private Request write(Neighbour n, int flags, String op) {
        return new Request(Rtm.NEWNEIGH, flags, w -> writeBody(w, n), op, () -> describe(n));
    }

    /** ndmsg + attributes of a neighbour request, in the order {@code ip neigh} sends them. */
    static void writeBody(MessageWriter w, Neighbour n) {
        w.body(new NdMsg(Codecs.family(n.ip()), n.index(), n.state(), n.flags(), 0)).put(Nda.DST, n.ip());
        n.mac().ifPresent(m -> w.put(Nda.LLADDR, m));
    }

    private String describe(Neighbour n) {
        return n.ip().getHostAddress() + n.mac().map(m -> " lladdr " + m).orElse("") + " dev "
                + rt.devName(n.index()) + " nud " + Rtm.nudName(n.state()).toLowerCase() + rt.where();
    }

    /** {@code ip neigh show}: IPv4 and IPv6 entries of every device. */
    public List<Neighbour> list() {
        List<NlMsg> msgs = rt.connection().dump(new Request(Rtm.GETNEIGH, 0,
                w -> w.body(new NdMsg(Rtm.AF_UNSPEC, 0, 0, 0, 0)), "neigh show", rt.where().trim()));
        return msgs.stream().filter(m -> m.type() == Rtm.NEWNEIGH)
                .filter(m -> NdMsg.decode(m.payloadBuffer()).family() != Rtm.AF_BRIDGE)
                .map(NeighbourOps::decode).toList();
    }

    /** {@code ip neigh show dev DEV}. */
    public List<Neighbour> list(int index) {
        return list().stream().filter(n -> n.index() == index).toList();
    }

    static Neighbour decode(NlMsg m) {
        return io.overlaynet.netlink.codec.CodecException.guard("neighbour", () -> decodeUnchecked(m));
    }

    private static Neighbour decodeUnchecked(NlMsg m) {
        NdMsg h = NdMsg.decode(m.payloadBuffer());
        Attrs a = m.attrs(NdMsg.SIZE);
        return new Neighbour(h.index(), a.get(Nda.DST).orElseThrow(), a.get(Nda.LLADDR), h.state(), h.flags());
    }
}
