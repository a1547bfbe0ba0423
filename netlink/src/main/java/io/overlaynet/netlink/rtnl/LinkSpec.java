package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;

import java.util.Optional;

/**
 * What {@code ip link add NAME [mtu M] [address MAC] [master BR] [netns NS] [alias A] type KIND ...}
 * asks for. {@code master} is an interface index in the namespace where the link is created.
 */
public record LinkSpec(String name, LinkKind kind, Optional<Integer> mtu, Optional<MacAddress> mac,
                       Optional<Integer> master, Optional<NetNs> namespace, Optional<String> alias, boolean up) {
    public LinkSpec {
        Check.linkName(name);
        mtu.ifPresent(Check::mtu);
    }

    public static LinkSpec of(String name, LinkKind kind) {
        return new LinkSpec(name, kind, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), false);
    }

    public LinkSpec mtu(int m) {
        return new LinkSpec(name, kind, Optional.of(m), mac, master, namespace, alias, up);
    }

    public LinkSpec mac(MacAddress m) {
        return new LinkSpec(name, kind, mtu, Optional.of(m), master, namespace, alias, up);
    }

    public LinkSpec master(int ifindex) {
        return new LinkSpec(name, kind, mtu, mac, Optional.of(ifindex), namespace, alias, up);
    }

    public LinkSpec in(NetNs ns) {
        return new LinkSpec(name, kind, mtu, mac, master, Optional.of(ns), alias, up);
    }

    public LinkSpec alias(String a) {
        return new LinkSpec(name, kind, mtu, mac, master, namespace, Optional.of(a), up);
    }

    public LinkSpec up(boolean on) {
        return new LinkSpec(name, kind, mtu, mac, master, namespace, alias, on);
    }


    public LinkSpec withoutNamespace() {
        return new LinkSpec(name, kind, mtu, mac, master, Optional.empty(), alias, up);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name);
        mtu.ifPresent(m -> sb.append(" mtu ").append(m));
        mac.ifPresent(m -> sb.append(" address ").append(m));
        namespace.ifPresent(n -> sb.append(" ").append(n));
        sb.append(" type ").append(kind.kind());
        if (kind instanceof VxlanSpec v) {
            sb.append(' ').append(v);
        } else if (kind instanceof LinkKind.Veth v) {
            sb.append(" peer name ").append(v.peerName());
            v.peerNamespace().ifPresent(n -> sb.append(" ").append(n));
        }
        return sb.toString();
    }
}
