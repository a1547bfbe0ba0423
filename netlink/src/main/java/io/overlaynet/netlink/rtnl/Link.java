package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Attrs;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.util.Optional;

/**
 * A link as the kernel reports it ({@code ip -d link show}).
 *
 * @param master    index of the bridge this link is a port of, 0 when none
 * @param linkNetnsId for a veth, the namespace id (in this namespace) of the namespace its peer lives in
 * @param vxlan     the VXLAN options, for kind vxlan
 * @param attrs     every attribute as received, including ones this library does not name
 */
public record Link(int index, String name, int flags, int mtu, Optional<MacAddress> mac, int master,
                   Optional<String> kind, Optional<String> alias, Optional<Integer> linkNetnsId,
                   Optional<Integer> peerIndex, Optional<VxlanSpec> vxlan, Attrs attrs) {

    public boolean isUp() {
        return (flags & Rtm.IFF_UP) != 0;
    }

    public boolean hasMaster() {
        return master != 0;
    }
}
