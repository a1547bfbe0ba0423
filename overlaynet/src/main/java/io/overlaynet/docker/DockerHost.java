package io.overlaynet.docker;

import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.state.LocalState;

import java.net.InetAddress;
import java.util.Optional;

/** What the Docker network and IPAM driver needs of the host's agent. */
public interface DockerHost {
    /** The store's network with this VNI, if there is one. */
    Optional<NetworkConfig> networkByVni(int vni);

    /** The store's network with this subnet, if there is one. */
    Optional<NetworkConfig> networkBySubnet(IpPrefix subnet);

    /** Defines a network in the store (refused as {@code network create --store} would refuse it). */
    void define(String name, int vni, IpPrefix subnet, InetAddress gateway);

    /** A network of the store, by name. */
    Optional<NetworkConfig> network(String name);

    /**
     * Claims an address cluster-wide (the one asked for, or a free one) for an endpoint to come; its
     * record carries the MAC derived from the address until the endpoint joins.
     */
    InetAddress claim(String network, Optional<InetAddress> ip);

    /** Gives a claimed address back, if this host holds it. */
    void release(String network, InetAddress ip);

    /** Plugs an endpoint in, its container end left in the host namespace as {@code hostEnd} for Docker. */
    EndpointRecord join(String network, String name, InetAddress ip, MacAddress mac, String sandbox, String hostEnd);

    /** Detaches an endpoint; false when it was not there. */
    boolean leave(String network, String name);

    /** Publishes an endpoint's ports on this host's address (replacing what it had). */
    void publish(String key, java.util.List<io.overlaynet.dataplane.Ports.PortMap> ports);

    /** Withdraws an endpoint's published ports. */
    void unpublish(String key);

    /** This host's state directory: which Docker network and endpoint is which. */
    LocalState state();
}
