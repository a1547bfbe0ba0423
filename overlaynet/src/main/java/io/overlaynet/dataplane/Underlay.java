package io.overlaynet.dataplane;

import io.overlaynet.netlink.rtnl.Address;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.Route;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/** The host's underlay: the device VXLAN packets leave by, its IPv4 address (the VTEP) and MTU. */
public record Underlay(String device, int index, InetAddress address, int mtu, boolean bind) {

    /**
     * A device the VXLAN devices are bound to ({@code dev}). {@code bind} false: they send from the
     * address alone, since a device that can be deleted and made again (a WireGuard tunnel) would take
     * every VXLAN device bound to it along when it goes.
     */
    public Underlay(String device, int index, InetAddress address, int mtu) {
        this(device, index, address, mtu, true);
    }

    /**
     * Finds the underlay: the named device, else the device of the default route, else the only
     * non-loopback device that is up and has an IPv4 address.
     */
    public static Underlay detect(Rtnl host, Optional<String> device) {
        Link link;
        if (device.isPresent()) {
            link = host.links().find(device.get()).orElseThrow(() -> new IllegalArgumentException(
                    "underlay device " + device.get() + " does not exist: pick one from 'ip link'"));
        } else {
            link = byDefaultRoute(host).orElseGet(() -> onlyCandidate(host));
        }
        InetAddress addr = host.addresses().list(link.name()).stream().map(Address::prefix)
                .map(p -> p.address()).filter(a -> a instanceof Inet4Address).findFirst()
                .orElseThrow(() -> new IllegalStateException("underlay device " + link.name()
                        + " has no IPv4 address: give it one or pick another with --underlay"));
        return new Underlay(link.name(), link.index(), addr, link.mtu());
    }

    /**
     * Refuses a network whose MTU this underlay cannot carry. VXLAN adds 50 bytes, and the kernel
     * silently caps a VXLAN device bound to an underlay device at that device's MTU - 50; the bridge and
     * endpoints would keep the larger MTU and their full-size frames would be dropped at the VXLAN port,
     * so such a network is refused before anything is made.
     */
    public void requireRoomFor(String network, int networkMtu) {
        int room = mtu - NetworkConfig.VXLAN_OVERHEAD;
        if (networkMtu > room) {
            throw new IllegalArgumentException("network " + network + ": MTU " + networkMtu + " plus VXLAN's "
                    + NetworkConfig.VXLAN_OVERHEAD + " bytes is more than " + device + "'s MTU " + mtu
                    + " (the kernel would cap the VXLAN device at " + room + " and drop larger frames): use an MTU of "
                    + room + " or less, or raise " + device + "'s MTU");
        }
    }

    private static Optional<Link> byDefaultRoute(Rtnl host) {
        return host.routes().list(Rtm.AF_INET).stream().filter(Route::isDefault)
                .flatMap(r -> r.device().stream()).findFirst().flatMap(i -> host.links().find(i));
    }

    private static Link onlyCandidate(Rtnl host) {
        List<Link> candidates = host.links().list().stream()
                .filter(l -> (l.flags() & Rtm.IFF_LOOPBACK) == 0 && l.isUp())
                .filter(l -> host.addresses().list(l.name()).stream().anyMatch(a -> a.prefix().address() instanceof Inet4Address))
                .toList();
        if (candidates.size() != 1) {
            throw new IllegalStateException("cannot tell the underlay device: no default route and "
                    + candidates.size() + " candidate devices; name one with --underlay DEV");
        }
        return candidates.getFirst();
    }
}
