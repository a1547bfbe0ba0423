package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;

import java.util.Optional;

/**
 * What {@code ip link add NAME [mtu M] [address MAC] [master BR] [netns NS] [alias A]
 * [numtxqueues N numrxqueues N] type KIND ...} asks for. {@code master} is an interface index in the
 * namespace where the link is created; {@code queues} applies to both ends of a veth.
 */
public record LinkSpec(String name, LinkKind kind, Optional<Integer> mtu, Optional<MacAddress> mac,
                       Optional<Integer> master, Optional<NetNs> namespace, Optional<String> alias, boolean up,
                       Optional<Integer> queues) {
    public LinkSpec {
        Check.linkName(name);
        mtu.ifPresent(Check::mtu);
        queues.ifPresent(q -> {
            if (q < 1 || q > 4096) {
                throw new IllegalArgumentException("queue count " + q + " out of range: use 1-4096");
            }
        });
    }

    public static LinkSpec of(String name, LinkKind kind) {
        return new LinkSpec(name, kind, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), false, Optional.empty());
    }

    public LinkSpec mtu(int m) {
        return new LinkSpec(name, kind, Optional.of(m), mac, master, namespace, alias, up, queues);
    }

    public LinkSpec mac(MacAddress m) {
        return new LinkSpec(name, kind, mtu, Optional.of(m), master, namespace, alias, up, queues);
    }

    public LinkSpec master(int ifindex) {
        return new LinkSpec(name, kind, mtu, mac, Optional.of(ifindex), namespace, alias, up, queues);
    }

    public LinkSpec in(NetNs ns) {
        return new LinkSpec(name, kind, mtu, mac, master, Optional.of(ns), alias, up, queues);
    }

    public LinkSpec alias(String a) {
        return new LinkSpec(name, kind, mtu, mac, master, namespace, Optional.of(a), up, queues);
    }

    /** Transmit and receive queue counts (for a veth, of both ends); the kernel's default is one per CPU. */
    public LinkSpec queues(int n) {
        return new LinkSpec(name, kind, mtu, mac, master, namespace, alias, up, Optional.of(n));
    }

    public LinkSpec up(boolean on) {
        return new LinkSpec(name, kind, mtu, mac, master, namespace, alias, on, queues);
    }

    public LinkSpec withoutNamespace() {
        return new LinkSpec(name, kind, mtu, mac, master, Optional.empty(), alias, up, queues);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name);
        mtu.ifPresent(m -> sb.append(" mtu ").append(m));
        mac.ifPresent(m -> sb.append(" address ").append(m));
        namespace.ifPresent(n -> sb.append(" ").append(n));
        queues.ifPresent(q -> sb.append(" numtxqueues ").append(q).append(" numrxqueues ").append(q));
        if (kind instanceof LinkKind.Macvlan m) {
            sb.append(" link ").append(m.lowerIndex());
        }
        sb.append(" type ").append(kind.kind());
        if (kind instanceof VxlanSpec v) {
            sb.append(' ').append(v);
        } else if (kind instanceof LinkKind.Veth v) {
            sb.append(" peer name ").append(v.peerName());
            v.peerNamespace().ifPresent(n -> sb.append(" ").append(n));
        } else if (kind instanceof LinkKind.Macvlan) {
            sb.append(" mode bridge");
        }
        return sb.toString();
    }
}
