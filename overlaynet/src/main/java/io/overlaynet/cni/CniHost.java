package io.overlaynet.cni;

import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Records.EndpointRecord;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the CNI plugin needs of the host's agent. */
public interface CniHost {
    /** A network of the store, as this host would build it. */
    Optional<NetworkConfig> network(String name);

    /** Attaches a container's namespace: claims the address cluster-wide, plugs the veth in. */
    EndpointRecord add(String network, String name, Optional<InetAddress> ip, Optional<String> mac, Path netns,
                       String ifname);

    /** Detaches an endpoint and gives its address back; false when it was not there. */
    boolean remove(String network, String name);

    /** The addresses claimed in a network, as far as the agent knows. */
    java.util.Set<String> claimed(String network);

    /** Whether an ADD can be taken now (the store reachable, the agent's view loaded). */
    boolean ready();

    /** Whether the store holds this host's record of the endpoint at {@code ip}. */
    boolean registered(String network, String ip);

    /** This host's endpoint of that name, if it has one. */
    Optional<EndpointRecord> find(String network, String name);

    /** This host's endpoints of a network. */
    List<EndpointRecord> endpoints(String network);
}
