package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.wire.IfInfoMsg;
import io.overlaynet.netlink.rtnl.wire.Ifla;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.socket.Request;
import io.overlaynet.netlink.sys.Errno;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** {@code ip link}: list, get, add, delete and change links in one namespace. */
public final class LinkOps {
    private final Rtnl rt;

    LinkOps(Rtnl rt) {
        this.rt = rt;
    }

    /** {@code ip -d link show}. */
    public List<Link> list() {
        List<NlMsg> msgs = rt.connection().dump(new Request(Rtm.GETLINK, 0,
                w -> w.body(IfInfoMsg.of(0)), "link show", rt.where().trim()));
        return msgs.stream().filter(m -> m.type() == Rtm.NEWLINK).map(this::remember).toList();
    }

    /** {@code ip -d link show dev NAME}, empty when there is no such link. */
    public Optional<Link> find(String name) {
        Check.linkName(name);
        try {
            return Optional.of(get(name));
        } catch (NetlinkException.NotFound e) {
            return Optional.empty();
        }
    }

    /** {@code ip -d link show dev NAME}; throws {@link NetlinkException.NotFound} when absent. */
    public Link get(String name) {
        Check.linkName(name);
        return single(new Request(Rtm.GETLINK, 0, w -> w.body(IfInfoMsg.of(0)).put(Ifla.IFNAME, name),
                "link show", name + rt.where()));
    }

    /**
     * The link a batch made, from the copy the kernel echoed back ({@link Request#echo()} on its add
     * request), if it did: saves asking for it again.
     */
    public static Optional<Link> echoed(BatchResult result, String name) {
        return result.replies().stream().filter(m -> m.type() == Rtm.NEWLINK).map(LinkCodec::decode)
                .filter(l -> l.name().equals(name)).findFirst();
    }

    public Link get(int index) {
        return single(new Request(Rtm.GETLINK, 0, w -> w.body(IfInfoMsg.of(index)),
                "link show", "index " + index + rt.where()));
    }

    public Optional<Link> find(int index) {
        try {
            return Optional.of(get(index));
        } catch (NetlinkException.NotFound e) {
            return Optional.empty();
        }
    }

    /** The interface index of a link by name. */
    public int index(String name) {
        return get(name).index();
    }

    private Link single(Request r) {
        List<NlMsg> msgs = rt.connection().query(r);
        return msgs.stream().filter(m -> m.type() == Rtm.NEWLINK).findFirst().map(this::remember)
                .orElseThrow(() -> NetlinkException.of(r.operation(), r.object(), Errno.ENODEV, Optional.empty()));
    }

    private Link remember(NlMsg m) {
        Link l = LinkCodec.decode(m);
        rt.rememberName(l.index(), l.name());
        return l;
    }

    /**
     * {@code ip link add NAME ... type KIND ...}. When the spec names another namespace the link is
     * created there; read it back through that namespace's handle.
     */
    public void add(LinkSpec spec) {
        if (spec.alias().isPresent() && spec.namespace().isPresent()) {
            throw new IllegalArgumentException("link add " + spec.name()
                    + ": set the alias through the target namespace's handle (the kernel ignores it on create)");
        }
        rt.connection().execute(addRequest(spec));
        if (spec.alias().isPresent()) {
            // The kernel applies IFLA_IFALIAS only to existing links: set it now, undo the add on failure.
            try {
                setAlias(spec.name(), spec.alias().get());
            } catch (RuntimeException e) {
                deleteIfExists(spec.name());
                throw e;
            }
        }
    }

    public Request addRequest(LinkSpec spec) {
        return new Request(Rtm.NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                w -> LinkCodec.writeNew(w, spec), "link add", () -> spec + rt.where());
    }

    /**
     * Creates a link here and moves it into {@code target}, as the walkthroughs do with the VXLAN device so its
     * UDP socket stays in this (the underlay) namespace. Atomic: if the move fails, the link made here
     * is deleted again.
     */
    public void addAndMove(LinkSpec spec, NetNs target) {
        addAndMove(spec, target, spec.name());
    }

    /**
     * As {@link #addAndMove(LinkSpec, NetNs)}, renaming the link to {@code finalName} as it moves, so a
     * temporary name avoids clashes here (e.g. two networks' {@code vxlan1} made at once).
     */
    public void addAndMove(LinkSpec spec, NetNs target, String finalName) {
        add(spec.withoutNamespace());
        try {
            moveTo(spec.name(), target, finalName);
        } catch (RuntimeException e) {
            try {
                delete(spec.name());
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** {@code ip link del NAME}. */
    public void delete(String name) {
        Check.linkName(name);
        rt.connection().execute(new Request(Rtm.DELLINK, 0, w -> w.body(IfInfoMsg.of(0)).put(Ifla.IFNAME, name),
                "link del", name + rt.where()));
    }

    /** {@code ip link del NAME} unless it does not exist; returns whether it did. */
    public boolean deleteIfExists(String name) {
        try {
            delete(name);
            return true;
        } catch (NetlinkException.NotFound e) {
            return false;
        }
    }

    /** {@code ip link set NAME up}. */
    public void setUp(String name) {
        setFlags(name, Rtm.IFF_UP, "up");
    }

    /** {@code ip link set NAME down}. */
    public void setDown(String name) {
        setFlags(name, 0, "down");
    }

    private void setFlags(String name, int flags, String what) {
        change(name, "link set", name + " " + what, new IfInfoMsg(Rtm.AF_UNSPEC, 0, 0, flags, Rtm.IFF_UP), w -> {
        });
    }

    /** {@code ip link set NAME up} as a request, for pipelined batches. */
    public Request setUpRequest(String name) {
        return changeRequest(name, "link set", name + " up", new IfInfoMsg(Rtm.AF_UNSPEC, 0, 0, Rtm.IFF_UP, Rtm.IFF_UP),
                w -> {
                });
    }

    /**
     * {@code ip link set NAME addrgenmode none} as a request: the link makes no IPv6 address of its own,
     * so no link-local address, and with it no duplicate-address probes, router solicitations or MLD
     * reports. Send it before the link goes up.
     */
    public Request addrGenModeNoneRequest(String name) {
        return changeRequest(name, "link set", name + " addrgenmode none", IfInfoMsg.of(0), w -> w.nest(Ifla.AF_SPEC)
                .nest(Ifla.Inet6.FAMILY).put(Ifla.Inet6.ADDR_GEN_MODE, Ifla.Inet6.ADDR_GEN_MODE_NONE).endNest().endNest());
    }

    /** {@code ip link set NAME alias TEXT} as a request, for pipelined batches. */
    public Request setAliasRequest(String name, String alias) {
        return changeRequest(name, "link set", name + " alias " + alias, IfInfoMsg.of(0), w -> w.put(Ifla.IFALIAS, alias));
    }

    /** {@code ip link set NAME mtu MTU}. */
    public void setMtu(String name, int mtu) {
        Check.mtu(mtu);
        change(name, "link set", name + " mtu " + mtu, IfInfoMsg.of(0), w -> w.put(Ifla.MTU, mtu));
    }

    /** {@code ip link set NAME address MAC}. */
    public void setMac(String name, MacAddress mac) {
        change(name, "link set", name + " address " + mac, IfInfoMsg.of(0), w -> w.put(Ifla.ADDRESS, mac));
    }

    /** {@code ip link set NAME master BRIDGE}. */
    public void setMaster(String name, String bridge) {
        int master = index(bridge);
        change(name, "link set", name + " master " + bridge, IfInfoMsg.of(0), w -> w.put(Ifla.MASTER, master));
    }

    /** {@code ip link set NAME nomaster}. */
    public void setNoMaster(String name) {
        change(name, "link set", name + " nomaster", IfInfoMsg.of(0), w -> w.put(Ifla.MASTER, 0));
    }

    /** {@code ip link set NAME netns NS}. */
    public void moveTo(String name, NetNs target) {
        change(name, "link set", name + " netns " + target.name().orElse(target.path().toString()),
                IfInfoMsg.of(0), w -> w.put(Ifla.NET_NS_FD, target.fd()));
    }

    /** {@code ip link set NAME netns NS name NEWNAME}: moves and renames in one request. */
    public void moveTo(String name, NetNs target, String newName) {
        Check.linkName(newName);
        int index = index(name);
        rt.connection().execute(new Request(Rtm.NEWLINK, 0, w -> w.body(IfInfoMsg.of(index))
                .put(Ifla.IFNAME, newName).put(Ifla.NET_NS_FD, target.fd()), "link set",
                name + " netns " + target.name().orElse(target.path().toString()) + " name " + newName + rt.where()));
    }

    /** {@code ip link set NAME name NEWNAME}. */
    public void rename(String name, String newName) {
        Check.linkName(newName);
        int index = index(name);
        rt.connection().execute(new Request(Rtm.NEWLINK, 0, w -> w.body(IfInfoMsg.of(index))
                .put(Ifla.IFNAME, newName), "link set", name + " name " + newName + rt.where()));
        rt.rememberName(index, newName);
    }

    /** {@code ip link set NAME alias TEXT}. */
    public void setAlias(String name, String alias) {
        change(name, "link set", name + " alias " + alias, IfInfoMsg.of(0), w -> w.put(Ifla.IFALIAS, alias));
    }

    private void change(String name, String op, String object, IfInfoMsg body, Consumer<MessageWriter> attrs) {
        rt.connection().execute(changeRequest(name, op, object, body, attrs));
    }

    private Request changeRequest(String name, String op, String object, IfInfoMsg body, Consumer<MessageWriter> attrs) {
        Check.linkName(name);
        return new Request(Rtm.NEWLINK, 0, w -> {
            w.body(body).put(Ifla.IFNAME, name);
            attrs.accept(w);
        }, op, () -> object + rt.where());
    }
}
