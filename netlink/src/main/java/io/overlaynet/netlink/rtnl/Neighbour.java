package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A neighbour (ARP/NDP) entry: {@code ip neigh add IP lladdr MAC dev DEV nud STATE}.
 *
 * @param state NUD_* bits; writes default to NUD_PERMANENT
 */
public record Neighbour(int index, InetAddress ip, Optional<MacAddress> mac, int state, int flags) {

    /** A permanent entry, the default for writes. */
    public static Neighbour permanent(int index, InetAddress ip, MacAddress mac) {
        return new Neighbour(index, ip, Optional.of(mac), Rtm.NUD_PERMANENT, 0);
    }

    public boolean isPermanent() {
        return (state & Rtm.NUD_PERMANENT) != 0;
    }
}
