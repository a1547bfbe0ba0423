package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.nft.EgressRules;
import io.overlaynet.netlink.nft.Nft;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Route;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.socket.Request;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A network's way out, like flannel's ipMasq or Docker's gateway bridge: containers reach addresses
 * outside the network through their host, with the source translated to the host's address.
 *
 * <pre>
 * container --default via gw--> br0 (overlay ns) --default via 169.254.53.1--> egress ==veth== oe&lt;VNI&gt; (host ns)
 *   host ns: SUBNET via 169.254.53.2 dev oe&lt;VNI&gt; onlink; forwarding on oe&lt;VNI&gt; and the underlay device;
 *   nf_tables table ip overlaynet: postrouting  ip saddr SUBNET oifname != oe&lt;VNI&gt; masquerade
 *                                  forward      iifname "oe*" oifname "oe*" drop   (networks stay apart)
 *                                  prerouting, output  ip daddr VTEP tcp dport P dnat to IP:PORT  (published ports)
 * </pre>
 * Every host-side end has the same link-local address and every overlay-side end the other one, with
 * on-link routes: no address plan, and no clash between networks. The host's table is rewritten whole,
 * in one transaction, from the networks recorded on the host.
 */
final class Egress {
    static final String OVERLAY_SIDE = "egress";
    static final String HOST_PREFIX = "oe";
    static final String TABLE = "overlaynet";
    private static final InetAddress HOST_END = Ip.parse("169.254.53.1");
    private static final InetAddress OVERLAY_END = Ip.parse("169.254.53.2");

    private Egress() {
    }

    static String hostSide(int vni) {
        return HOST_PREFIX + vni;
    }

    /** Plugs the overlay namespace into the host: veth, addresses, routes, forwarding. */
    static void add(Host host, NetNs overlayNs, Rtnl inOverlay, NetworkConfig cfg, String underlay) {
        String hostEnd = hostSide(cfg.vni());
        Rtnl rt = host.rtnl();
        rt.links().add(LinkSpec.of(hostEnd, LinkKind.Veth.peer(OVERLAY_SIDE).in(overlayNs)).up(true)
                .alias(Host.OWNER_ALIAS + ":" + cfg.name()));
        try {
            int hostIndex = rt.links().index(hostEnd);
            rt.addresses().add(hostEnd, new IpPrefix(HOST_END, 32));
            rt.routes().add(Route.via(cfg.subnet(), OVERLAY_END, Optional.of(hostIndex)).withOnlink());
            rt.sysctl().set("net.ipv4.conf." + hostEnd + ".forwarding", "1");
            rt.sysctl().set("net.ipv4.conf." + underlay + ".forwarding", "1");
            inOverlay.links().setUp(OVERLAY_SIDE);
            inOverlay.addresses().add(OVERLAY_SIDE, new IpPrefix(OVERLAY_END, 32));
            inOverlay.routes().add(Route.via(IpPrefix.parse("0.0.0.0/0"), HOST_END,
                    Optional.of(inOverlay.links().index(OVERLAY_SIDE))).withOnlink());
        } catch (RuntimeException e) {
            rt.links().deleteIfExists(hostEnd);
            throw e;
        }
    }

    /** Removes the host's end (the overlay end goes with its namespace). */
    static void remove(Host host, NetworkRecord r) {
        host.rtnl().links().find(hostSide(r.vni()))
                .filter(l -> l.alias().orElse("").equals(Host.OWNER_ALIAS + ":" + r.name()))
                .ifPresent(l -> host.rtnl().links().deleteIfExists(l.name()));
    }

    /**
     * Rewrites the host's table from {@code networks}: a masquerade rule for each that has egress, and
     * the rule that keeps networks apart; no table at all when none has egress.
     */
    static void sync(Host host, List<NetworkRecord> networks) {
        List<NetworkRecord> out = networks.stream().filter(NetworkRecord::egress).toList();
        List<Request> tx = new ArrayList<>(List.of(Nft.addTable(Nft.FAMILY_IP, TABLE), Nft.deleteTable(Nft.FAMILY_IP, TABLE)));
        if (!out.isEmpty()) {
            tx.add(Nft.addTable(Nft.FAMILY_IP, TABLE));
            tx.add(Nft.addBaseChain(Nft.FAMILY_IP, TABLE, "postrouting", "nat", Nft.HOOK_POSTROUTING, Nft.PRIORITY_SRCNAT));
            tx.add(Nft.addBaseChain(Nft.FAMILY_IP, TABLE, "forward", "filter", Nft.HOOK_FORWARD, Nft.PRIORITY_FILTER));
            tx.add(Nft.addRule(Nft.FAMILY_IP, TABLE, "forward", EgressRules.dropBetween(HOST_PREFIX)));
            for (NetworkRecord n : out) {
                tx.add(Nft.addRule(Nft.FAMILY_IP, TABLE, "postrouting",
                        EgressRules.masquerade(IpPrefix.parse(n.subnet()), hostSide(n.vni()))));
            }
            List<Ports.PortMap> published = new Ports(host).all();
            if (!published.isEmpty()) {
                // Connections to the host's address, from outside (prerouting) and from the host itself (output).
                tx.add(Nft.addBaseChain(Nft.FAMILY_IP, TABLE, "prerouting", "nat", Nft.HOOK_PREROUTING, Nft.PRIORITY_DSTNAT));
                tx.add(Nft.addBaseChain(Nft.FAMILY_IP, TABLE, "output", "nat", Nft.HOOK_OUTPUT, Nft.PRIORITY_DSTNAT));
                for (Ports.PortMap p : published) {
                    out.stream().filter(n -> n.name().equals(p.network())).findFirst().ifPresent(n -> {
                        List<io.overlaynet.netlink.nft.Expr> rule = EgressRules.publish(Ip.parse(n.vtep()), p.proto(),
                                p.hostPort(), Ip.parse(p.ip()), p.port());
                        tx.add(Nft.addRule(Nft.FAMILY_IP, TABLE, "prerouting", rule));
                        tx.add(Nft.addRule(Nft.FAMILY_IP, TABLE, "output", rule));
                    });
                }
            }
        }
        try {
            host.nft().apply(tx);
        } catch (NetlinkException e) {
            throw new IllegalStateException("cannot write the egress rules (nf_tables table ip " + TABLE + "): "
                    + e.getMessage() + "; is nf_tables available in this kernel?", e);
        }
    }
}
