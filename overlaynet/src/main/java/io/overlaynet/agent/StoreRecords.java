package io.overlaynet.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.state.LocalState;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The JSON values under the store's keys, and their strict parsing: a record that does not parse, or
 * holds a MAC that is not a MAC, an IP outside its subnet or a VTEP that is not an address, is refused
 * with a reason (the agent logs it once and skips it; nothing bad reaches the kernel).
 */
public final class StoreRecords {
    private StoreRecords() {
    }

    /**
     * /overlaynet/networks/&lt;name&gt;. A spec written before udpCsum or egress existed reads them as
     * false.
     */
    public record NetworkSpec(String name, int vni, String subnet, String gateway, int mtu, int port, boolean udpCsum,
                              boolean egress) {
        /** A network without egress. */
        public NetworkSpec(String name, int vni, String subnet, String gateway, int mtu, int port, boolean udpCsum) {
            this(name, vni, subnet, gateway, mtu, port, udpCsum, false);
        }

        public NetworkConfig config(Mode mode) {
            return new NetworkConfig(name, vni, IpPrefix.parse(subnet), Ip.parse(gateway), mtu, port, mode, Optional.empty(),
                    udpCsum, egress);
        }
    }

    /**
     * /overlaynet/hosts/&lt;host&gt;. {@code lease} (hex) and {@code version} (the agent's) are absent in
     * records written before they existed. An encrypting host adds its WireGuard public key (base64), the
     * underlay address its WireGuard listens on, and the key's epoch (raised by each re-key); its
     * {@code vtep} is then its tunnel address.
     */
    public record HostInfo(String name, String vtep, String mac, String lease, String version, String wgKey,
                           String wgEndpoint, Integer wgEpoch) {
        public HostInfo(String name, String vtep, String mac) {
            this(name, vtep, mac, null, null);
        }

        /** A host without encryption: no WireGuard key. */
        public HostInfo(String name, String vtep, String mac, String lease, String version) {
            this(name, vtep, mac, lease, version, null, null, null);
        }

        /** Whether the host sends its VXLAN through WireGuard ({@code vtep} is then its tunnel address). */
        public boolean encrypted() {
            return wgKey != null;
        }

        /** The WireGuard key's epoch: 0 until the host re-keys (and in records written before epochs). */
        public int keyEpoch() {
            return wgEpoch == null ? 0 : wgEpoch;
        }
    }

    /** /overlaynet/endpoints/&lt;network&gt;/&lt;ip&gt;. */
    public record EndpointInfo(String name, String mac, String host, String vtep) {
    }

    /** A remote endpoint as validated for programming. */
    public record Remote(String network, InetAddress ip, MacAddress mac, String host, InetAddress vtep) {
    }

    public static String json(Object o) {
        try {
            return LocalState.JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T parse(String json, Class<T> type) {
        try {
            T t = LocalState.JSON.readValue(json, type);
            if (t == null) {
                throw new IllegalArgumentException("empty record");
            }
            return t;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + " record: "
                    + e.getOriginalMessage());
        }
    }

    /** Parses and checks a network record: every value one a host could build (VNI, MTU, port, subnet, gateway). */
    public static NetworkSpec network(String json) {
        NetworkSpec n = parse(json, NetworkSpec.class);
        if (n.name() == null || n.subnet() == null || n.gateway() == null) {
            throw new IllegalArgumentException("network record lacks name, subnet or gateway");
        }
        n.config(new io.overlaynet.dataplane.Mode.Proactive()); // refuses what NetworkConfig refuses
        return n;
    }

    /** Parses and checks a host record: a name and a unicast IPv4 VTEP. */
    public static HostInfo host(String json) {
        HostInfo h = parse(json, HostInfo.class);
        if (h.name() == null || h.vtep() == null) {
            throw new IllegalArgumentException("host record lacks name or vtep");
        }
        if (h.encrypted()) {
            byte[] key;
            try {
                key = java.util.Base64.getDecoder().decode(h.wgKey());
            } catch (IllegalArgumentException bad) {
                key = new byte[0];
            }
            if (key.length != 32 || h.wgEndpoint() == null || !(Ip.parse(h.wgEndpoint()) instanceof Inet4Address)) {
                throw new IllegalArgumentException("host record's WireGuard key or endpoint is malformed");
            }
        }
        InetAddress vtep = Ip.parse(h.vtep());
        if (!(vtep instanceof Inet4Address) || vtep.isMulticastAddress() || vtep.isAnyLocalAddress()
                || vtep.isLoopbackAddress() || h.vtep().equals("255.255.255.255")) {
            throw new IllegalArgumentException("VTEP " + h.vtep() + " is not a unicast IPv4 address");
        }
        return h;
    }

    /** Parses and checks an endpoint record against its network; throws IllegalArgumentException with the reason. */
    public static Remote remote(String network, String ipText, String json, Optional<NetworkSpec> spec) {
        EndpointInfo e = parse(json, EndpointInfo.class);
        InetAddress ip = Ip.parse(ipText);
        if (!(ip instanceof Inet4Address)) {
            throw new IllegalArgumentException("endpoint IP " + ipText + " is not IPv4");
        }
        if (spec.isPresent()) {
            IpPrefix subnet = IpPrefix.parse(spec.get().subnet());
            if (!subnet.contains(ip)) {
                throw new IllegalArgumentException("endpoint IP " + ipText + " is outside subnet " + spec.get().subnet());
            }
            if (ip.equals(Ip.parse(spec.get().gateway()))) {
                throw new IllegalArgumentException("endpoint IP " + ipText + " is the network's gateway: refused, it would "
                        + "take the gateway's traffic");
            }
            if (subnet.length() <= 30 && (ip.equals(subnet.network().address()) || ip.equals(subnet.broadcast()))) {
                throw new IllegalArgumentException("endpoint IP " + ipText + " is the network or broadcast address of "
                        + spec.get().subnet());
            }
        }
        if (e.mac() == null || e.vtep() == null || e.host() == null) {
            throw new IllegalArgumentException("endpoint record lacks mac, vtep or host");
        }
        MacAddress mac = MacAddress.parse(e.mac());
        if (mac.isMulticast() || mac.isZero()) {
            throw new IllegalArgumentException("endpoint MAC " + e.mac() + " is not a unicast MAC");
        }
        InetAddress vtep = Ip.parse(e.vtep());
        if (!(vtep instanceof Inet4Address) || vtep.isMulticastAddress() || vtep.isAnyLocalAddress()
                || vtep.isLoopbackAddress() || e.vtep().equals("255.255.255.255")) {
            throw new IllegalArgumentException("VTEP " + e.vtep() + " is not a unicast IPv4 address");
        }
        return new Remote(network, ip, mac, e.host(), vtep);
    }
}
