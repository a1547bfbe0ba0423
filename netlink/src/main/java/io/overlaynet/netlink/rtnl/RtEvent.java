package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.codec.NlMsg;

import java.net.InetAddress;

/**
 * What {@code ip monitor} shows, decoded. The neighbour group carries four different things that must
 * be told apart: neighbour changes, FDB changes, and the VXLAN device's L2 and L3 misses, which are
 * RTM_GETNEIGH requests from the kernel to user space.
 */
public sealed interface RtEvent {

    /** A link appeared or changed ({@code added}) or went away. */
    record LinkChange(boolean added, Link link) implements RtEvent {
    }

    record AddressChange(boolean added, Address address) implements RtEvent {
    }

    /** An ARP/NDP entry was created or changed ({@code added}) or deleted. */
    record NeighbourChange(boolean added, Neighbour neighbour) implements RtEvent {
    }

    /** A bridge FDB entry was created or changed ({@code added}) or deleted. */
    record FdbChange(boolean added, FdbEntry entry) implements RtEvent {
    }

    /** L3 miss: the VXLAN device (with {@code l3miss}) has no neighbour entry for this IP. */
    record L3Miss(int index, InetAddress ip) implements RtEvent {
    }

    /** L2 miss: the VXLAN device (with {@code l2miss}) has no FDB entry for this MAC. */
    record L2Miss(int index, MacAddress mac) implements RtEvent {
    }

    /**
     * The kernel dropped events because the socket's buffer was full (ENOBUFS): the listener has missed
     * changes and should resynchronise from a dump.
     */
    record Overrun() implements RtEvent {
    }

    /** Anything else on the subscribed groups, kept undecoded. */
    record Other(NlMsg message) implements RtEvent {
    }
}
