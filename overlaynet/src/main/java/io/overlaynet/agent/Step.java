package io.overlaynet.agent;

import io.overlaynet.netlink.codec.MacAddress;

import java.net.InetAddress;

/**
 * One change the reconciler asks of this host. A closed set, so every applier handles every kind; the
 * firewall's member set and tunnel peers will join it as further kinds.
 */
sealed interface Step {
    /** The network the step belongs to. */
    String network();

    /** {@code bridge fdb replace MAC dev vxlan1 dst VTEP self permanent}: where a remote MAC lives. */
    record PutFdb(String network, MacAddress mac, InetAddress vtep) implements Step {
    }

    /** {@code ip neigh replace IP lladdr MAC dev vxlan1 nud permanent}: a remote IP's MAC. */
    record PutArp(String network, InetAddress ip, MacAddress mac) implements Step {
    }

    /** {@code ip neigh del IP dev vxlan1}. */
    record DelArp(String network, InetAddress ip) implements Step {
    }

    /** {@code bridge fdb del MAC dev vxlan1 dst VTEP self}: only that destination of the MAC. */
    record DelFdb(String network, MacAddress mac, InetAddress vtep) implements Step {
    }

    /**
     * An IP came back with another MAC: this host's containers may still hold the old MAC in their own
     * neighbour caches (for up to half a minute), so the entry is deleted there ({@code ip neigh del IP
     * dev eth0} in each) and their next packet asks again, which the VXLAN device's ARP proxy answers.
     */
    record ForgetInContainers(String network, InetAddress ip) implements Step {
    }

    /** The network left the store: its local endpoints and overlay namespace go. */
    record RemoveNetwork(String network) implements Step {
    }
}
