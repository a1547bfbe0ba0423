package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.Codecs;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.rtnl.wire.Ifa;
import io.overlaynet.netlink.rtnl.wire.IfAddrMsg;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.Request;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/** {@code ip address}: add, replace, delete and list IPv4 and IPv6 addresses. */
public final class AddressOps {
    private final Rtnl rt;

    AddressOps(Rtnl rt) {
        this.rt = rt;
    }

    /** {@code ip address add PREFIX dev DEV}. */
    public void add(String dev, IpPrefix prefix) {
        rt.connection().execute(request(dev, prefix, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, "address add"));
    }

    /** {@code ip address replace PREFIX dev DEV}. */
    public void replace(String dev, IpPrefix prefix) {
        rt.connection().execute(request(dev, prefix, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE,
                "address replace"));
    }

    /** {@code ip address del PREFIX dev DEV}. */
    public void delete(String dev, IpPrefix prefix) {
        int index = rt.links().index(dev);
        rt.connection().execute(new Request(Rtm.DELADDR, 0, w -> w.body(body(index, prefix))
                .put(Ifa.LOCAL, prefix.address()), "address del", prefix + " dev " + dev + rt.where()));
    }

    private Request request(String dev, IpPrefix prefix, int flags, String op) {
        return request(rt.links().index(dev), dev, prefix, flags, op);
    }

    /** {@code ip address add PREFIX dev DEV} by interface index, as a request for pipelined batches. */
    public Request addRequest(int index, IpPrefix prefix) {
        return request(index, rt.devName(index), prefix, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, "address add");
    }

    private Request request(int index, String dev, IpPrefix prefix, int flags, String op) {
        return new Request(Rtm.NEWADDR, flags, w -> {
            w.body(body(index, prefix)).put(Ifa.LOCAL, prefix.address()).put(Ifa.ADDRESS, prefix.address());
            if (prefix.address() instanceof Inet4Address && prefix.length() < 31) {
                w.put(Ifa.BROADCAST, prefix.broadcast());
            }
        }, op, () -> prefix + " dev " + dev + rt.where());
    }

    private static IfAddrMsg body(int index, IpPrefix prefix) {
        return new IfAddrMsg(Codecs.family(prefix.address()), prefix.length(), 0, Rtm.RT_SCOPE_UNIVERSE, index);
    }

    /** {@code ip address show}: every address of every link. */
    public List<Address> list() {
        List<NlMsg> msgs = rt.connection().dump(new Request(Rtm.GETADDR, 0,
                w -> w.body(new IfAddrMsg(Rtm.AF_UNSPEC, 0, 0, 0, 0)), "address show", rt.where().trim()));
        return msgs.stream().filter(m -> m.type() == Rtm.NEWADDR).map(AddressOps::decode).toList();
    }

    /** {@code ip address show dev DEV}. */
    public List<Address> list(String dev) {
        int index = rt.links().index(dev);
        return list().stream().filter(a -> a.index() == index).toList();
    }

    static Address decode(NlMsg m) {
        return io.overlaynet.netlink.codec.CodecException.guard("address", () -> decodeUnchecked(m));
    }

    private static Address decodeUnchecked(NlMsg m) {
        IfAddrMsg h = IfAddrMsg.decode(m.payloadBuffer());
        Attrs a = m.attrs(IfAddrMsg.SIZE);
        InetAddress ip = a.get(Ifa.LOCAL).or(() -> a.get(Ifa.ADDRESS)).orElseThrow();
        return new Address(h.index(), new IpPrefix(ip, h.prefixLength()), h.scope(),
                a.get(Ifa.FLAGS).orElse(h.flags()), a.get(Ifa.LABEL));
    }
}
