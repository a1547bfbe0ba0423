package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Rtnl;

import java.util.Optional;

/**
 * An open view of one network's data plane on this host: the namespace holding its bridge and VXLAN
 * device (the overlay namespace, or the host itself for an existing bridge) and a handle there.
 */
public final class Overlay implements AutoCloseable {
    public static final String BRIDGE = "br0";
    public static final String VXLAN = "vxlan1";
    /** With macvlan attachment: the child of vxlan1 holding the gateway address, in place of the bridge. */
    public static final String GATEWAY = "gw0";

    private final NetworkRecord record;
    private final Optional<NetNs> ownNamespace;
    private final Rtnl rtnl;
    private final boolean ownRtnl;
    private int bridgeIndex;

    private Overlay(NetworkRecord record, Optional<NetNs> ns, Rtnl rtnl, boolean ownRtnl) {
        this.record = record;
        this.ownNamespace = ns;
        this.rtnl = rtnl;
        this.ownRtnl = ownRtnl;
    }

    public static Overlay open(Host host, NetworkRecord record) {
        if (record.bridge().isPresent()) {
            return new Overlay(record, Optional.empty(), host.rtnl(), false);
        }
        NetNs ns = NetNs.named(record.overlayNamespace());
        try {
            return new Overlay(record, Optional.of(ns), Rtnl.open(ns), true);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    public NetworkRecord record() {
        return record;
    }

    public Rtnl rtnl() {
        return rtnl;
    }

    /** The namespace the bridge and VXLAN device live in. */
    public Optional<NetNs> namespace() {
        return ownNamespace;
    }

    public String bridge() {
        return record.bridge().orElse(BRIDGE);
    }

    public String vxlan() {
        return record.vxlanDevice();
    }

    /** The link holding the gateway address: the bridge, or gw0 with macvlan attachment. */
    public String gatewayDevice() {
        return record.attachment() == Attach.MACVLAN ? GATEWAY : bridge();
    }

    public int vxlanIndex() {
        return rtnl.links().index(vxlan());
    }

    /** The bridge's interface index, looked up once per view (the bridge lives as long as the network). */
    public synchronized int bridgeIndex() {
        if (bridgeIndex == 0) {
            bridgeIndex = rtnl.links().index(bridge());
        }
        return bridgeIndex;
    }

    @Override
    public void close() {
        if (ownRtnl) {
            rtnl.close();
        }
        ownNamespace.ifPresent(NetNs::close);
    }
}
