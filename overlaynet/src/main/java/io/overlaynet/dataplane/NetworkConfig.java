package io.overlaynet.dataplane;

import io.overlaynet.netlink.rtnl.Check;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A network as the user defines it.
 *
 * @param bridge  an existing Linux bridge in the host namespace to extend instead of making an overlay
 *                namespace (the walkthroughs' Docker-bridge example)
 * @param udpCsum compute the outer UDP checksum of the frames this host sends. Off by default: RFC 7348
 *                says a VXLAN sender should send zero and a receiver must accept zero, and the
 *                inner frame carries its own checksum. The kernel's default (and so the walkthroughs') is on.
 * @param egress  containers reach addresses outside the network through this host, their source
 *                translated to the host's address ({@link Egress})
 * @param attach  how containers join the VXLAN device here ({@link Attach})
 */
public record NetworkConfig(String name, int vni, IpPrefix subnet, InetAddress gateway, int mtu, int port,
                            Mode mode, Optional<String> bridge, boolean udpCsum, boolean egress, Attach attach) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    public static final int VXLAN_OVERHEAD = 50;
    public static final int DEFAULT_PORT = 4789;
    /** IPv4 + TCP headers, and the TCP timestamps option Linux puts in every segment. */
    private static final int TCP_IP_HEADERS = 40;
    private static final int TCP_TIMESTAMPS = 12;

    public NetworkConfig {
        checkName(name);
        Check.vni(vni);
        Check.mtu(mtu);
        Check.port(port);
        if (!(subnet.address() instanceof Inet4Address)) {
            throw new IllegalArgumentException("subnet " + subnet + " is not IPv4: overlaynet networks are IPv4");
        }
        if (subnet.length() > 30) {
            throw new IllegalArgumentException("subnet " + subnet + " is too small: use /30 or larger");
        }
        subnet = subnet.network();
        if (!subnet.contains(gateway) || gateway.equals(subnet.address()) || gateway.equals(subnet.broadcast())) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " is not a host address in "
                    + subnet);
        }
        bridge.ifPresent(Check::linkName);
        if (egress && bridge.isPresent()) {
            throw new IllegalArgumentException("egress needs an overlay namespace: leave out --bridge or --egress");
        }
        if (attach == Attach.MACVLAN && bridge.isPresent()) {
            throw new IllegalArgumentException("--attach macvlan needs an overlay namespace: leave out --bridge or "
                    + "--attach");
        }
    }

    /** A network whose containers attach by bridge. */
    public NetworkConfig(String name, int vni, IpPrefix subnet, InetAddress gateway, int mtu, int port, Mode mode,
                         Optional<String> bridge, boolean udpCsum, boolean egress) {
        this(name, vni, subnet, gateway, mtu, port, mode, bridge, udpCsum, egress, Attach.BRIDGE);
    }

    /** The same network with containers attached as {@code how}. */
    public NetworkConfig attachedBy(Attach how) {
        return new NetworkConfig(name, vni, subnet, gateway, mtu, port, mode, bridge, udpCsum, egress, how);
    }

    /** A network without egress. */
    public NetworkConfig(String name, int vni, IpPrefix subnet, InetAddress gateway, int mtu, int port, Mode mode,
                         Optional<String> bridge, boolean udpCsum) {
        this(name, vni, subnet, gateway, mtu, port, mode, bridge, udpCsum, false);
    }

    /**
     * The MSS the endpoints advertise (their routes' {@code advmss}): the largest whose segments, after
     * the timestamps option, carry a multiple of 8 bytes of data. For MTU 1450 that is 1404 (1392-byte
     * segments) where the kernel would take 1410 (1398): the overlay's TCP throughput measured 3-10%
     * higher with it (docs/dataplane.md). For MTU 1500 it is the kernel's own 1460.
     */
    public int tcpAdvmss() {
        int data = mtu - TCP_IP_HEADERS - TCP_TIMESTAMPS;
        return (data & ~7) + TCP_TIMESTAMPS;
    }

    /** The network as a host's record of it describes it. */
    public static NetworkConfig of(Records.NetworkRecord r) {
        return new NetworkConfig(r.name(), r.vni(), IpPrefix.parse(r.subnet()), Ip.parse(r.gateway()), r.mtu(),
                r.port(), Mode.parse(r.mode()), r.bridge(), r.udpCsum(), r.egress(), r.attachment());
    }

    /** Network names become parts of namespace names: short, lower-case, digits, '-'. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid network name '" + name
                    + "': use 1-32 of a-z, 0-9, '-', '_', starting with a letter or digit");
        }
        return name;
    }

    /** Whether {@code ip} may be given to an endpoint: inside the subnet, not network, broadcast or gateway. */
    public void checkEndpointIp(InetAddress ip) {
        if (!subnet.contains(ip)) {
            throw new IllegalArgumentException("IP " + ip.getHostAddress() + " is outside network " + name
                    + "'s subnet " + subnet);
        }
        if (ip.equals(subnet.address()) || ip.equals(subnet.broadcast()) || ip.equals(gateway)) {
            throw new IllegalArgumentException("IP " + ip.getHostAddress() + " is the network, broadcast or gateway "
                    + "address of " + subnet + ": pick a host address");
        }
    }

    /** Refuses two subnets that share an address: their containers could not tell each other apart. */
    public static void checkApart(String name, IpPrefix subnet, String otherName, IpPrefix other) {
        IpPrefix wider = subnet.length() <= other.length() ? subnet : other;
        IpPrefix narrower = wider == subnet ? other : subnet;
        if (wider.network().contains(narrower.address())) {
            throw new IllegalArgumentException("subnet " + subnet + " of network " + name + " overlaps " + other
                    + " of network " + otherName + ": pick a subnet that shares no address with it (or --allow-overlap for "
                    + "tenants kept apart by VNI alone)");
        }
    }

    public IpPrefix gatewayPrefix() {
        return new IpPrefix(gateway, subnet.length());
    }
}
