package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A bridge forwarding-database entry: {@code bridge fdb add MAC dev DEV [dst IP] [vni N] [port P] self permanent}.
 * On a VXLAN device, {@code dst} is the remote VTEP; the all-zeros MAC with several {@code dst}s is the
 * flood list (head-end replication).
 *
 * @param flags NTF_* bits; writes default to NTF_SELF (the device's own table)
 * @param state NUD_* bits; writes default to NUD_PERMANENT | NUD_NOARP, as iproute2's
 */
public record FdbEntry(int index, MacAddress mac, Optional<InetAddress> dst, Optional<Integer> vni,
                       Optional<Integer> port, int state, int flags, Optional<Integer> master,
                       Optional<Integer> vlan) {
    /** What {@code bridge fdb add ... permanent} sends: NUD_PERMANENT | NUD_NOARP. */
    public static final int PERMANENT_STATE = Rtm.NUD_PERMANENT | Rtm.NUD_NOARP;

    public FdbEntry {
        vni.ifPresent(Check::vni);
        port.ifPresent(Check::port);
    }

    /** A permanent entry in the device's own table ({@code self permanent}) pointing at a VTEP. */
    public static FdbEntry toVtep(int index, MacAddress mac, InetAddress dst) {
        return new FdbEntry(index, mac, Optional.of(dst), Optional.empty(), Optional.empty(), PERMANENT_STATE,
                Rtm.NTF_SELF, Optional.empty(), Optional.empty());
    }

    /**
     * {@code bridge fdb replace MAC dev PORT master static}: the bridge sends frames for {@code mac} out of
     * {@code port}, without waiting to learn it, and learning elsewhere does not move it. Static (NUD_NOARP),
     * not permanent: a permanent master entry would make the MAC the bridge's own.
     */
    public static FdbEntry staticOnPort(int port, MacAddress mac) {
        return new FdbEntry(port, mac, Optional.empty(), Optional.empty(), Optional.empty(), Rtm.NUD_NOARP,
                Rtm.NTF_MASTER, Optional.empty(), Optional.empty());
    }

    public FdbEntry vni(int v) {
        return new FdbEntry(index, mac, dst, Optional.of(v), port, state, flags, master, vlan);
    }

    public FdbEntry port(int p) {
        return new FdbEntry(index, mac, dst, vni, Optional.of(p), state, flags, master, vlan);
    }

    public boolean isPermanent() {
        return (state & Rtm.NUD_PERMANENT) != 0;
    }

    public boolean isSelf() {
        return (flags & Rtm.NTF_SELF) != 0;
    }
}
