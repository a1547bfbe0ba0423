package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Records.PeerRecord;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Neighbour;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * {@code overlaynet peer add|rm|ls}: remote endpoints (a permanent ARP entry, then the FDB entry that
 * points its MAC at the remote VTEP) and remote VTEPs on a flood list (an all-zeros FDB entry each).
 * Removal goes in reverse order: FDB, then ARP.
 */
public final class Peers {
    private final Host host;

    public Peers(Host host) {
        this.host = host;
    }

    /** Adds a remote endpoint; idempotent (replace semantics). */
    public PeerRecord addEndpoint(String network, InetAddress ip, Optional<MacAddress> mac, InetAddress vtep) {
        NetworkRecord net = new Networks(host).get(network);
        NetworkConfig.of(net).checkEndpointIp(ip);
        checkVtep(net, vtep);
        MacAddress m = mac.orElse(Endpoints.macFor(ip));
        new Endpoints(host).byIp(network, ip).ifPresent(e -> {
            throw new IllegalArgumentException("IP " + ip.getHostAddress() + " belongs to local endpoint "
                    + e + ": a peer is a remote endpoint");
        });
        Overlay o = host.overlay(net);
        int vx = o.vxlanIndex();
        Optional<PeerRecord> before = host.state().read(path(network, ip.getHostAddress()), PeerRecord.class);
        AllowList.admitPeer(host, vtep);
        o.rtnl().neighbours().replace(Neighbour.permanent(vx, ip, m));
        try {
            o.rtnl().fdb().replace(FdbEntry.toVtep(vx, m, vtep));
        } catch (RuntimeException e) {
            deleteQuietly(() -> o.rtnl().neighbours().delete(vx, ip));
            throw e;
        }
        // The same IP with another MAC: the old MAC's entry would point at the old place forever.
        before.filter(b -> b.mac().isPresent() && !b.mac().get().equals(m.toString())).ifPresent(b ->
                deleteQuietly(() -> o.rtnl().fdb().delete(FdbEntry.toVtep(vx, MacAddress.parse(b.mac().get()),
                        Ip.parse(b.vtep())))));
        PeerRecord rec = new PeerRecord(network, Optional.of(ip.getHostAddress()), Optional.of(m.toString()),
                vtep.getHostAddress());
        host.state().write(path(network, rec.key()), rec);
        return rec;
    }

    /** Adds a remote VTEP to the flood list (head-end replication); idempotent. */
    public PeerRecord addVtep(String network, InetAddress vtep) {
        NetworkRecord net = new Networks(host).get(network);
        checkVtep(net, vtep);
        if (!Mode.parse(net.mode()).floodsToVteps()) {
            throw new IllegalArgumentException("network " + network + " is in " + net.mode()
                    + " mode, which has no flood list: add remote endpoints with --ip instead");
        }
        Overlay o = host.overlay(net);
        AllowList.admitPeer(host, vtep);
        try {
            o.rtnl().fdb().append(FdbEntry.toVtep(o.vxlanIndex(), MacAddress.ZERO, vtep));
        } catch (NetlinkException.Exists already) {
            // already on the flood list
        }
        PeerRecord rec = new PeerRecord(network, Optional.empty(), Optional.empty(), vtep.getHostAddress());
        host.state().write(path(network, rec.key()), rec);
        return rec;
    }

    /**
     * A peer's VTEP is the underlay address of another host. This host's own would send the frames back
     * to this host's VXLAN socket, where they vanish: a slip when commands are copied between hosts.
     */
    private static void checkVtep(NetworkRecord net, InetAddress vtep) {
        if (!(vtep instanceof Inet4Address) || vtep.isMulticastAddress() || vtep.isAnyLocalAddress()
                || vtep.isLoopbackAddress()) {
            throw new IllegalArgumentException("VTEP " + vtep.getHostAddress() + " is not a unicast IPv4 host address");
        }
        if (vtep.getHostAddress().equals(net.vtep())) {
            throw new IllegalArgumentException("VTEP " + vtep.getHostAddress() + " is this host's own (" + net.underlay()
                    + "): give the underlay address of the host the peer is on");
        }
    }

    /** Removes a remote endpoint (by IP) or a flood-list VTEP (by vtep); false when it was not there. */
    public boolean remove(String network, Optional<InetAddress> ip, Optional<InetAddress> vtep) {
        NetworkRecord net = new Networks(host).get(network);
        String key = ip.map(InetAddress::getHostAddress).orElseGet(() -> "vtep-" + vtep.orElseThrow(
                () -> new IllegalArgumentException("give --ip of a remote endpoint or --vtep of a flood-list VTEP"))
                .getHostAddress());
        Optional<PeerRecord> rec = host.state().read(path(network, key), PeerRecord.class);
        if (rec.isEmpty()) {
            return false;
        }
        PeerRecord p = rec.get();
        if (ip.isPresent() && vtep.isPresent() && !p.vtep().equals(vtep.get().getHostAddress())) {
            throw new IllegalArgumentException("peer " + key + " is at VTEP " + p.vtep() + ", not "
                    + vtep.get().getHostAddress() + ": leave out --vtep, or give the right one");
        }
        Overlay o = host.overlay(net);
        int vx = o.vxlanIndex();
        InetAddress dst = Ip.parse(p.vtep());
        if (p.mac().isPresent()) {
            deleteQuietly(() -> o.rtnl().fdb().delete(FdbEntry.toVtep(vx, MacAddress.parse(p.mac().get()), dst)));
            deleteQuietly(() -> o.rtnl().neighbours().delete(vx, Ip.parse(p.ip().orElseThrow())));
        } else {
            deleteQuietly(() -> o.rtnl().fdb().delete(FdbEntry.toVtep(vx, MacAddress.ZERO, dst)));
        }
        host.state().delete(path(network, key));
        AllowList.syncPeers(host);
        return true;
    }

    private static void deleteQuietly(Runnable r) {
        try {
            r.run();
        } catch (NetlinkException.NotFound gone) {
            // already gone: removal is idempotent
        }
    }

    /** Whether {@code ip} is a remote endpoint of {@code network} here (no record read). */
    public boolean exists(String network, InetAddress ip) {
        return host.state().exists(path(network, ip.getHostAddress()));
    }

    public List<PeerRecord> list(Optional<String> network) {
        if (network.isPresent()) {
            return host.state().list("peers/" + network.get(), PeerRecord.class);
        }
        return new Networks(host).list().stream()
                .flatMap(n -> host.state().list("peers/" + n.name(), PeerRecord.class).stream()).toList();
    }

    private static String path(String network, String key) {
        return "peers/" + network + "/" + key + ".json";
    }
}
