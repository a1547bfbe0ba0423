package io.overlaynet.dataplane;

import java.util.Optional;

/** The JSON records a host keeps in its state directory. Plain strings: readable by people and scripts. */
public final class Records {
    private Records() {
    }

    /**
     * A network as created on this host; {@code egress} is false in records written before it existed, and
     * {@code attach} missing (null) in those written before macvlan attachment: they attach by bridge.
     */
    public record NetworkRecord(String name, int vni, String subnet, String gateway, int mtu, int port, String mode,
                                Optional<String> bridge, String underlay, String vtep, String overlayNamespace,
                                String vxlanDevice, boolean udpCsum, boolean egress, boolean allowList, String attach) {
        /** How this network's containers are attached here. */
        public Attach attachment() {
            return Attach.parse(attach);
        }
    }

    /** A local endpoint. {@code ownNamespace}: we created the container namespace and remove it with the endpoint. */
    public record EndpointRecord(String network, String name, String ip, String mac, String namespace,
                                 boolean ownNamespace, String hostVeth, String containerIf) {
    }

    /** A remote endpoint (ARP + FDB) or, with ip and mac empty, a remote VTEP on the flood list. */
    public record PeerRecord(String network, Optional<String> ip, Optional<String> mac, String vtep) {
        public String key() {
            return ip.orElse("vtep-" + vtep);
        }
    }
}
