package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.rtnl.wire.Nda;
import io.overlaynet.netlink.rtnl.wire.NdMsg;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.Request;

import java.util.List;

/**
 * {@code bridge fdb}: add, replace, append, delete and list forwarding entries (RTM_*NEIGH with family
 * AF_BRIDGE). The three writes are one request differing only in flags.
 */
public final class FdbOps {
    private final Rtnl rt;

    FdbOps(Rtnl rt) {
        this.rt = rt;
    }

    /** {@code bridge fdb add MAC dev DEV dst IP vni N port P self permanent}. */
    public void add(FdbEntry e) {
        rt.connection().execute(addRequest(e));
    }

    /** {@code bridge fdb replace ...}: creates or overwrites (e.g. pins a learned entry as permanent). */
    public void replace(FdbEntry e) {
        rt.connection().execute(replaceRequest(e));
    }

    /** {@code bridge fdb append ...}: adds one more destination, e.g. to the all-zeros flood entry. */
    public void append(FdbEntry e) {
        rt.connection().execute(appendRequest(e));
    }

    /** {@code bridge fdb del MAC dev DEV [dst IP] self}: with dst, removes only that destination. */
    public void delete(FdbEntry e) {
        rt.connection().execute(deleteRequest(e));
    }

    public Request addRequest(FdbEntry e) {
        return write(Rtm.NEWNEIGH, e, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, "fdb add");
    }

    public Request replaceRequest(FdbEntry e) {
        return write(Rtm.NEWNEIGH, e, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE, "fdb replace");
    }

    public Request appendRequest(FdbEntry e) {
        return write(Rtm.NEWNEIGH, e, Netlink.NLM_F_CREATE | Netlink.NLM_F_APPEND, "fdb append");
    }

    public Request deleteRequest(FdbEntry e) {
        return write(Rtm.DELNEIGH, e, 0, "fdb del");
    }

    private Request write(int type, FdbEntry e, int flags, String op) {
        return new Request(type, flags, w -> writeBody(w, e), op, () -> describe(e));
    }

    /** ndmsg + attributes of an FDB request, in the order {@code bridge fdb} sends them. */
    static void writeBody(MessageWriter w, FdbEntry e) {
        w.body(new NdMsg(Rtm.AF_BRIDGE, e.index(), e.state(), e.flags(), 0)).put(Nda.LLADDR, e.mac());
        e.dst().ifPresent(d -> w.put(Nda.DST, d));
        e.vlan().ifPresent(v -> w.put(Nda.VLAN, v));
        e.port().ifPresent(p -> w.put(Nda.PORT, p));
        e.vni().ifPresent(v -> w.put(Nda.VNI, v));
    }

    private String describe(FdbEntry e) {
        StringBuilder sb = new StringBuilder().append(e.mac()).append(" dev ").append(rt.devName(e.index()));
        e.dst().ifPresent(d -> sb.append(" dst ").append(d.getHostAddress()));
        e.vni().ifPresent(v -> sb.append(" vni ").append(v));
        e.port().ifPresent(p -> sb.append(" port ").append(p));
        if (e.isSelf()) {
            sb.append(" self");
        }
        if (e.isPermanent()) {
            sb.append(" permanent");
        }
        return sb.append(rt.where()).toString();
    }

    /** {@code bridge fdb show}: every entry of every bridge and bridge port. */
    public List<FdbEntry> list() {
        List<NlMsg> msgs = rt.connection().dump(new Request(Rtm.GETNEIGH, 0,
                w -> w.body(new NdMsg(Rtm.AF_BRIDGE, 0, 0, 0, 0)), "fdb show", rt.where().trim()));
        return msgs.stream().filter(m -> m.type() == Rtm.NEWNEIGH).map(FdbOps::decode).toList();
    }

    /** {@code bridge fdb show dev DEV}. */
    public List<FdbEntry> list(int index) {
        return list().stream().filter(e -> e.index() == index).toList();
    }

    static FdbEntry decode(NlMsg m) {
        return io.overlaynet.netlink.codec.CodecException.guard("FDB", () -> decodeUnchecked(m));
    }

    private static FdbEntry decodeUnchecked(NlMsg m) {
        NdMsg h = NdMsg.decode(m.payloadBuffer());
        Attrs a = m.attrs(NdMsg.SIZE);
        return new FdbEntry(h.index(), a.get(Nda.LLADDR).orElse(MacAddress.ZERO), a.get(Nda.DST),
                a.get(Nda.VNI), a.get(Nda.PORT), h.state(), h.flags(), a.get(Nda.MASTER), a.get(Nda.VLAN));
    }
}
