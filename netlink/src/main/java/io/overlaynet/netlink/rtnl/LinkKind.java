package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;

import java.util.Optional;

/** The kinds of link overlaynet creates, with their kind-specific options (IFLA_INFO_DATA). */
public sealed interface LinkKind permits LinkKind.Bridge, LinkKind.Veth, LinkKind.Dummy, LinkKind.Macvlan, VxlanSpec {

    /** The IFLA_INFO_KIND string. */
    String kind();

    /** {@code type bridge}; ageing time in seconds when given. */
    record Bridge(Optional<Integer> ageingSeconds) implements LinkKind {
        public static final Bridge DEFAULT = new Bridge(Optional.empty());

        public String kind() {
            return "bridge";
        }
    }

    /**
     * {@code type veth peer name PEER [netns NS] [address MAC]}: the peer is created directly in its
     * namespace, so the pair exists whole or not at all.
     */
    record Veth(String peerName, Optional<NetNs> peerNamespace, Optional<MacAddress> peerMac,
                Optional<Integer> peerMtu) implements LinkKind {
        public Veth {
            Check.linkName(peerName);
            peerMtu.ifPresent(Check::mtu);
        }

        public static Veth peer(String peerName) {
            return new Veth(peerName, Optional.empty(), Optional.empty(), Optional.empty());
        }

        public Veth in(NetNs ns) {
            return new Veth(peerName, Optional.of(ns), peerMac, peerMtu);
        }

        public Veth mac(MacAddress mac) {
            return new Veth(peerName, peerNamespace, Optional.of(mac), peerMtu);
        }

        public Veth mtu(int mtu) {
            return new Veth(peerName, peerNamespace, peerMac, Optional.of(mtu));
        }

        public String kind() {
            return "veth";
        }
    }

    /** {@code type dummy}. */
    record Dummy() implements LinkKind {
        public String kind() {
            return "dummy";
        }
    }

    /**
     * {@code link LOWER type macvlan mode bridge}: a child of the link with index {@code lowerIndex} in
     * the namespace of the request's socket; the child may be made in another namespace ({@link
     * LinkSpec#in}). Bridge mode: children of one lower link reach each other directly.
     */
    record Macvlan(int lowerIndex) implements LinkKind {
        /** MACVLAN_MODE_BRIDGE. */
        public static final int MODE_BRIDGE = 4;

        public Macvlan {
            if (lowerIndex <= 0) {
                throw new IllegalArgumentException("macvlan lower link index " + lowerIndex + " is not an interface index");
            }
        }

        public String kind() {
            return "macvlan";
        }
    }
}
