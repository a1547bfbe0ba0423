package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A route, for {@code ip route add|replace|del} and as listed by {@code ip route show}.
 *
 * @param destination empty for the default route
 * @param onlink      pretend the gateway is directly attached ({@code onlink})
 * @param advmss      the MSS TCP advertises on connections over this route ({@code advmss}); empty: the
 *                    kernel's, the device's MTU - 40
 * @param congestionControl the TCP congestion control of connections over this route ({@code congctl
 *                    NAME}, not locked: a socket that asks for another keeps its own); empty: the namespace's
 */
public record Route(int family, Optional<IpPrefix> destination, Optional<InetAddress> gateway,
                    Optional<Integer> device, int table, int protocol, int scope, int type,
                    boolean onlink, Optional<Integer> metric, Optional<InetAddress> source,
                    Optional<Integer> advmss, Optional<String> congestionControl) {

    /** {@code default via GW dev DEV}. */
    public static Route defaultVia(InetAddress gateway, int device) {
        return new Route(gateway.getAddress().length == 4 ? Rtm.AF_INET : Rtm.AF_INET6, Optional.empty(),
                Optional.of(gateway), Optional.of(device), Rtm.RT_TABLE_MAIN, Rtm.RTPROT_BOOT,
                Rtm.RT_SCOPE_UNIVERSE, Rtm.RTN_UNICAST, false, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /**
     * {@code NET/LEN dev DEV proto kernel scope link src ADDR}: the route the kernel adds with an address
     * ({@code ip addr add ADDR/LEN dev DEV}), so that a replace can change its metrics.
     */
    public static Route ofAddress(IpPrefix address, int device) {
        return new Route(address.family(), Optional.of(address.network()), Optional.empty(), Optional.of(device),
                Rtm.RT_TABLE_MAIN, Rtm.RTPROT_KERNEL, Rtm.RT_SCOPE_LINK, Rtm.RTN_UNICAST, false, Optional.empty(),
                Optional.of(address.address()), Optional.empty(), Optional.empty());
    }

    /** {@code PREFIX dev DEV} (scope link), the route to a directly attached subnet. */
    public static Route to(IpPrefix destination, int device) {
        return new Route(destination.family(), Optional.of(destination.network()), Optional.empty(),
                Optional.of(device), Rtm.RT_TABLE_MAIN, Rtm.RTPROT_BOOT, Rtm.RT_SCOPE_LINK, Rtm.RTN_UNICAST,
                false, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** {@code PREFIX via GW [dev DEV]}. */
    public static Route via(IpPrefix destination, InetAddress gateway, Optional<Integer> device) {
        return new Route(destination.family(), Optional.of(destination.network()), Optional.of(gateway), device,
                Rtm.RT_TABLE_MAIN, Rtm.RTPROT_BOOT, Rtm.RT_SCOPE_UNIVERSE, Rtm.RTN_UNICAST, false,
                Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public Route withOnlink() {
        return new Route(family, destination, gateway, device, table, protocol, scope, type, true, metric, source,
                advmss, congestionControl);
    }

    public Route withMetric(int m) {
        return new Route(family, destination, gateway, device, table, protocol, scope, type, onlink,
                Optional.of(m), source, advmss, congestionControl);
    }

    public Route withAdvmss(int mss) {
        return new Route(family, destination, gateway, device, table, protocol, scope, type, onlink, metric, source,
                Optional.of(mss), congestionControl);
    }

    public Route withCongestionControl(String name) {
        if (name.isEmpty() || name.length() > 15 || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
            throw new IllegalArgumentException("invalid TCP congestion control '" + name + "': use a name the kernel "
                    + "lists in /proc/sys/net/ipv4/tcp_available_congestion_control, e.g. cubic");
        }
        return new Route(family, destination, gateway, device, table, protocol, scope, type, onlink, metric, source,
                advmss, Optional.of(name));
    }

    public boolean isDefault() {
        return destination.isEmpty() || destination.get().length() == 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(destination.map(IpPrefix::toString).orElse("default"));
        gateway.ifPresent(g -> sb.append(" via ").append(g.getHostAddress()));
        device.ifPresent(d -> sb.append(" dev if").append(d));
        if (onlink) {
            sb.append(" onlink");
        }
        metric.ifPresent(m -> sb.append(" metric ").append(m));
        source.ifPresent(a -> sb.append(" src ").append(a.getHostAddress()));
        advmss.ifPresent(m -> sb.append(" advmss ").append(m));
        congestionControl.ifPresent(c -> sb.append(" congctl ").append(c));
        return sb.toString();
    }
}
