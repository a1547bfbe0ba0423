package io.overlaynet.doctor;


import io.overlaynet.doctor.HostView.EndpointView;
import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.nft.Nft;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The walk along the path from one container to an IP, over snapshots of every host it can see and the
 * probe's result. A pure function: it reads no kernel state itself, so each cause can be shown by
 * building the snapshot that has it.
 *
 * <p>The order is the path's, both ways: the two endpoints' identities (MACs), the links from the
 * source container to the far one (container interface, veth, bridge, VXLAN device, underlay), the two
 * VXLAN devices' agreement (VNI, port, MTU), the underlay routes between the VTEPs, then the entries each
 * overlay needs to send (ARP, FDB: on the source's host for the target, on the target's host for the
 * reply), and last the firewalls, which are blamed only when the probe failed.
 */
public final class Diagnosis {
    /** VXLAN over IPv4 adds 50 bytes: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
    static final int VXLAN_OVERHEAD = 50;

    /** What the probes saw: the echo of a small and of a full-size (DF) packet. */
    public record Probe(Optional<Double> smallMs, Optional<Double> fullMs) {
        public boolean answered() {
            return smallMs.isPresent() && fullMs.isPresent();
        }
    }

    private record Problem(Cause cause, String hop, String detail, String fix) {
    }

    private final List<HostView> views;
    private final String network;

    public Diagnosis(List<HostView> views) {
        this.views = views;
        this.network = views.isEmpty() ? "" : views.get(0).network().name();
    }

    /** The finding for {@code from} to {@code toIp}; {@code probe} is what the echo probes saw. */
    public Finding of(EndpointView from, String toIp, Probe probe) {
        String label = from.label();
        Optional<Problem> p = walk(from, toIp, probe);
        if (p.isEmpty() && probe.answered()) {
            return Finding.healthy(label, toIp, probe.smallMs().get());
        }
        Problem problem = p.orElseGet(() -> new Problem(Cause.NO_ANSWER, "probe",
                "every hop looks right, yet the " + (probe.smallMs().isPresent() ? "full-size " : "") + "echo to "
                        + toIp + " got no answer",
                "watch the path: overlaynet capture --network " + network + " and overlaynet monitor"));
        return Finding.broken(label, toIp, problem.cause(), problem.hop(), problem.detail(), problem.fix(),
                probe.smallMs());
    }

    private Optional<Problem> walk(EndpointView from, String toIp, Probe probe) {
        HostView src = host(from.host());
        Optional<EndpointView> target = views.stream().flatMap(v -> v.endpoints().stream())
                .filter(e -> e.ip().equals(toIp)).findFirst();
        if (target.isEmpty()) {
            return Optional.of(new Problem(Cause.UNKNOWN_ENDPOINT, "store",
                    "no endpoint of network " + network + " on the hosts seen (" + hostNames() + ") has " + toIp,
                    "list them: overlaynet endpoint ls --store; add it: overlaynet endpoint add " + network + " NAME --ip " + toIp));
        }
        EndpointView to = target.get();
        HostView dst = host(to.host());
        boolean local = src == dst;
        List<Optional<Problem>> steps = new ArrayList<>();
        steps.add(duplicates(from));
        steps.add(duplicates(to));
        steps.add(links(src, from, dst, to, local));
        steps.add(addressed(from));
        if (dst.seen()) {
            steps.add(addressed(to));
        }
        if (!local && dst.seen()) {
            steps.add(agreement(src, dst));
            steps.add(mtu(src, from));
            steps.add(mtu(dst, to));
            steps.add(route(src, dst));
            steps.add(route(dst, src));
            steps.add(admits(dst, src));
            steps.add(admits(src, dst));
            steps.add(entries(src, to, dst, "to " + to.label()));
            steps.add(entries(dst, from, src, "reply to " + from.label()));
        } else if (!local) {
            steps.add(mtu(src, from)); // the far host is out of sight: only this side's half of the path
            steps.add(route(src, dst));
            steps.add(admits(src, dst)); // the replies come from its VTEP
            steps.add(entries(src, to, dst, "to " + to.label()));
        }
        for (Optional<Problem> s : steps) {
            if (s.isPresent()) {
                return s;
            }
        }
        if (probe.smallMs().isPresent() && probe.fullMs().isEmpty()) {
            return Optional.of(new Problem(Cause.MTU_MISMATCH, "path", "echo of 64 bytes answered, of "
                    + from.eth0().map(Link::mtu).orElse(src.network().mtu()) + " bytes with DF not: a link between the two is"
                    + " smaller than the containers' MTU", "find it: overlaynet capture --network " + network
                    + "; then lower the network's MTU or raise the underlay's"));
        }
        if (!probe.answered()) {
            Optional<Problem> fw = firewall(src);
            if (fw.isEmpty() && !local && dst.seen()) {
                fw = firewall(dst);
            }
            return fw;
        }
        return Optional.empty();
    }

    private HostView host(String name) {
        return views.stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no view of host " + name));
    }

    private String hostNames() {
        return String.join(", ", views.stream().map(HostView::name).toList());
    }

    private Optional<Problem> duplicates(EndpointView e) {
        List<EndpointView> same = views.stream().flatMap(v -> v.endpoints().stream())
                .filter(o -> o != e && o.mac().equalsIgnoreCase(e.mac())).toList();
        if (same.isEmpty()) {
            return Optional.empty();
        }
        EndpointView other = same.get(0);
        return Optional.of(new Problem(Cause.DUPLICATE_MAC, e.label() + " eth0",
                e.label() + " (" + e.ip() + ") and " + other.label() + " (" + other.ip() + ") both have MAC " + e.mac()
                        + ": bridges and VTEPs send one's frames to the other",
                "give one another MAC: overlaynet endpoint rm " + network + " " + other.name() + host(other.host()).flags()
                        + " && overlaynet endpoint add " + network + " " + other.name() + " --ip " + other.ip()
                        + host(other.host()).flags()));
    }

    private Optional<Problem> links(HostView src, EndpointView from, HostView dst, EndpointView to, boolean local) {
        List<Optional<Problem>> hops = new ArrayList<>();
        hops.add(containerLink(from));
        hops.add(veth(src, from));
        hops.add(device(src, src.bridge(), gatewayWhat(src)));
        if (!local) {
            hops.add(device(src, src.vxlan(), "VXLAN device"));
            hops.add(underlayLink(src));
        }
        if (!local && dst.seen()) {
            hops.add(underlayLink(dst));
            hops.add(device(dst, dst.vxlan(), "VXLAN device"));
            hops.add(device(dst, dst.bridge(), gatewayWhat(dst)));
        }
        if (dst.seen()) {
            hops.add(veth(dst, to));
            hops.add(containerLink(to));
        }
        return hops.stream().filter(Optional::isPresent).findFirst().orElse(Optional.empty());
    }

    private Optional<Problem> containerLink(EndpointView e) {
        if (e.eth0().isEmpty()) {
            return Optional.of(new Problem(Cause.LINK_DOWN, e.label() + " eth0", "the container's interface is gone"
                    + " (namespace " + e.namespace() + ")", "re-attach it: overlaynet endpoint rm " + network + " " + e.name()
                    + host(e.host()).flags() + ", then endpoint add again"));
        }
        return down(e.eth0().get(), e.label() + " " + e.eth0().get().name(), nsArg(e.namespace()));
    }

    /** What holds the gateway on that host: the bridge, or the gateway's macvlan child. */
    private static String gatewayWhat(HostView h) {
        return h.network().attachment() == Attach.MACVLAN ? "gateway macvlan" : "bridge";
    }

    private Optional<Problem> veth(HostView h, EndpointView e) {
        if (h.network().attachment() == Attach.MACVLAN) {
            return Optional.empty(); // no veth: the container's interface is a child of vxlan1, checked on its own
        }
        if (e.hostVeth().isEmpty()) {
            return Optional.of(new Problem(Cause.LINK_DOWN, h.name() + " veth of " + e.name(),
                    "the host side of " + e.label() + "'s veth pair is gone from " + h.overlayNs(),
                    "re-attach it: overlaynet endpoint rm " + network + " " + e.name() + h.flags() + ", then endpoint add again"));
        }
        Link veth = e.hostVeth().get();
        Optional<Problem> d = down(veth, h.name() + " " + veth.name(), nsArg(h.overlayNs()));
        if (d.isPresent()) {
            return d;
        }
        if (h.bridge().isPresent() && veth.master() != h.bridge().get().index()) {
            return Optional.of(new Problem(Cause.LINK_DOWN, h.name() + " " + veth.name(),
                    veth.name() + " (" + e.label() + ") is not a port of " + h.bridge().get().name(),
                    "ip" + nsArg(h.overlayNs()) + " link set " + veth.name() + " master " + h.bridge().get().name()));
        }
        return Optional.empty();
    }

    private Optional<Problem> device(HostView h, Optional<Link> link, String what) {
        if (link.isEmpty()) {
            return Optional.of(new Problem(Cause.LINK_DOWN, h.name() + " " + what, "the " + what + " of network "
                    + network + " is missing on " + h.name() + " (" + h.overlayNs() + ")",
                    "recreate the network there: overlaynet network rm " + network + h.flags() + ", then network create"));
        }
        return down(link.get(), h.name() + " " + link.get().name(), nsArg(h.overlayNs()));
    }

    private Optional<Problem> underlayLink(HostView h) {
        if (h.underlay().isEmpty()) {
            return Optional.of(new Problem(Cause.LINK_DOWN, h.name() + " " + h.network().underlay(),
                    "the underlay interface " + h.network().underlay() + " is missing on " + h.name(),
                    "restore " + h.network().underlay() + " with VTEP address " + h.vtep().getHostAddress()));
        }
        return down(h.underlay().get(), h.name() + " " + h.underlay().get().name(), nsArg(h.hostNsName()));
    }

    private static Optional<Problem> down(Link l, String hop, String ns) {
        if (l.isUp() && (l.flags() & Rtm.IFF_LOWER_UP) != 0) {
            return Optional.empty();
        }
        String state = !l.isUp() ? "administratively down" : "up but has no carrier (its peer is down)";
        return Optional.of(new Problem(Cause.LINK_DOWN, hop, l.name() + " is " + state,
                l.isUp() ? "bring its peer up (ip link show " + l.name() + " names it)" : "ip" + ns + " link set " + l.name() + " up"));
    }

    private static String nsArg(String ns) {
        return ns.isEmpty() || ns.startsWith("/") ? "" : " -n " + ns;
    }

    private Optional<Problem> addressed(EndpointView e) {
        if (e.addressed()) {
            return Optional.empty();
        }
        return Optional.of(new Problem(Cause.NO_ADDRESS, e.label() + " eth0", e.label() + " does not have its address "
                + e.ip() + " on " + e.eth0().map(Link::name).orElse("its interface"),
                "ip" + nsArg(e.namespace()) + " addr add " + e.ip() + "/" + host(e.host()).network().subnet().split("/")[1]
                        + " dev " + e.eth0().map(Link::name).orElse("eth0")));
    }

    private Optional<Problem> agreement(HostView a, HostView b) {
        if (a.vni() != b.vni()) {
            return Optional.of(new Problem(Cause.VNI_MISMATCH, a.name() + " and " + b.name() + " VXLAN devices",
                    a.name() + "'s " + a.network().vxlanDevice() + " uses VNI " + a.vni() + ", " + b.name() + "'s uses VNI "
                            + b.vni() + ": each drops the other's frames",
                    "recreate the network with the same --vni on " + (a.vni() != a.network().vni() ? a.name() : b.name())
                            + ": overlaynet network rm " + network + " && overlaynet network create " + network + " --vni "
                            + a.network().vni() + " ..."));
        }
        if (a.port() != b.port()) {
            return Optional.of(new Problem(Cause.PORT_MISMATCH, a.name() + " and " + b.name() + " VXLAN devices",
                    a.name() + "'s " + a.network().vxlanDevice() + " sends to and listens on UDP port " + a.port() + ", "
                            + b.name() + "'s on " + b.port() + ": nothing listens where the other sends",
                    "recreate the network with the same --port on " + (a.port() != a.network().port() ? a.name() : b.name())));
        }
        return Optional.empty();
    }

    private Optional<Problem> mtu(HostView h, EndpointView e) {
        int vx = h.vxlan().map(Link::mtu).orElse(h.network().mtu());
        int eth0 = e.eth0().map(Link::mtu).orElse(vx);
        if (eth0 > vx) {
            return Optional.of(new Problem(Cause.MTU_MISMATCH, e.label() + " eth0", e.label() + "'s MTU " + eth0
                    + " is larger than " + h.name() + "'s " + h.network().vxlanDevice() + " MTU " + vx
                    + ": small packets pass, full-size ones are dropped",
                    "ip" + nsArg(e.namespace()) + " link set " + e.eth0().get().name() + " mtu " + vx));
        }
        int under = h.underlay().map(Link::mtu).orElse(Integer.MAX_VALUE);
        if (vx + VXLAN_OVERHEAD > under) {
            return Optional.of(new Problem(Cause.MTU_MISMATCH, h.name() + " " + h.network().underlay(), h.name() + "'s "
                    + h.network().vxlanDevice() + " MTU " + vx + " needs an underlay MTU of " + (vx + VXLAN_OVERHEAD) + ", "
                    + h.network().underlay() + " has " + under + ": small packets pass, full-size ones are dropped",
                    "raise it: ip" + nsArg(h.hostNsName()) + " link set " + h.network().underlay() + " mtu "
                            + (vx + VXLAN_OVERHEAD) + ", or recreate the network with --mtu " + (under - VXLAN_OVERHEAD)));
        }
        return Optional.empty();
    }

    private Optional<Problem> route(HostView a, HostView b) {
        Optional<String> why = a.routes().getOrDefault(b.vtep().getHostAddress(), Optional.empty());
        return why.map(w -> new Problem(Cause.UNDERLAY_UNREACHABLE, a.name() + " underlay route to " + b.name(),
                a.name() + " has no usable route to " + b.name() + "'s VTEP " + b.vtep().getHostAddress() + " (" + w + ")",
                "see it: ip" + nsArg(a.hostNsName()) + " route get " + b.vtep().getHostAddress()
                        + "; mend the underlay route there"));
    }

    /** Whether {@code h}'s VTEP allow-list lets in what {@code from} sends (its network is guarded). */
    private Optional<Problem> admits(HostView h, HostView from) {
        String vtep = from.vtep().getHostAddress();
        if (!h.network().allowList() || h.admitted().contains(vtep)) {
            return Optional.empty();
        }
        String fix = h.mode().runByAgent()
                ? "check that " + from.name() + "'s agent is registered ('overlaynet host ls --store ...'); "
                + h.name() + "'s agent admits every live host's VTEP"
                : "wire " + from.name() + " as a peer on " + h.name() + " ('overlaynet" + h.flags() + " peer add "
                + h.network().name() + " --ip IP --vtep " + vtep + "'), which admits its VTEP";
        return Optional.of(new Problem(Cause.VTEP_NOT_ALLOWED, h.name() + " VTEP allow-list",
                h.name() + " drops VXLAN from " + from.name() + "'s VTEP " + vtep + ": it is in neither set (peers, hosts)"
                        + " of the allow-list table overlaynet_vteps" + " in " + (h.hostNsName().isEmpty()
                        ? "the host namespace" : h.hostNsName()), fix));
    }

    /**
     * What {@code h} needs to send to {@code target} on {@code owner}: the ARP entry its VXLAN device
     * answers from (modes that proxy ARP) and the FDB entry (or flood entry) that names the target's VTEP.
     */
    private Optional<Problem> entries(HostView h, EndpointView target, HostView owner, String direction) {
        Mode mode = h.mode();
        if (mode instanceof Mode.Reactive && h.agentAlive()) {
            return Optional.empty(); // entries appear on the first miss; the agent answers it
        }
        Optional<Problem> p = arpAndFdb(h, target, owner, direction);
        if (p.isPresent() && h.agentExpected() && !h.agentAlive()) {
            Problem inner = p.get();
            return Optional.of(new Problem(Cause.AGENT_DOWN, h.name() + " agent", "no agent runs on " + h.name()
                    + " and its kernel is behind the store: " + inner.detail(),
                    "start it again: overlaynet lab up (restarts a lab's dead agents) or overlaynet agent run" + h.flags()));
        }
        return p;
    }

    private Optional<Problem> arpAndFdb(HostView h, EndpointView target, HostView owner, String direction) {
        Mode mode = h.mode();
        MacAddress mac = MacAddress.parse(target.mac());
        InetAddress vtep = owner.vtep();
        String dev = h.network().vxlanDevice();
        String peerAdd = "overlaynet peer add " + network + " --ip " + target.ip() + " --vtep " + vtep.getHostAddress()
                + h.flags();
        if (mode.proxiesArp()) {
            Optional<Neighbour> n = h.arpFor(target.ip());
            if (n.isEmpty() || n.get().mac().isEmpty() || (n.get().state() & (Rtm.NUD_FAILED | Rtm.NUD_INCOMPLETE)) != 0) {
                return Optional.of(new Problem(Cause.MISSING_ARP, h.name() + " overlay ARP (" + direction + ")",
                        h.name() + "'s " + dev + " has no ARP entry for " + target.ip() + ": it answers no ARP request"
                                + " for it", mode.runByAgent() ? "the agent adds it from the store; check it runs: "
                        + "overlaynet host ls --store" : peerAdd));
            }
            if (!n.get().mac().get().equals(mac)) {
                return Optional.of(new Problem(Cause.STALE_ARP, h.name() + " overlay ARP (" + direction + ")",
                        h.name() + "'s " + dev + " maps " + target.ip() + " to " + n.get().mac().get() + ", but "
                                + target.label() + " has MAC " + target.mac(), peerAdd));
            }
        }
        List<FdbEntry> unicast = h.fdbFor(mac);
        if (!unicast.isEmpty()) {
            FdbEntry e = unicast.get(0);
            if (e.dst().isPresent() && !e.dst().get().equals(vtep)) {
                String whose = views.stream().filter(v -> v.vtep().equals(e.dst().get())).map(HostView::name).findFirst()
                        .map(n -> " (" + n + ")").orElse(" (no host seen has it)");
                return Optional.of(new Problem(Cause.WRONG_VTEP, h.name() + " overlay FDB (" + direction + ")",
                        h.name() + "'s " + dev + " sends " + mac + " to VTEP " + e.dst().get().getHostAddress() + whose
                                + ", but " + target.label() + " is behind " + vtep.getHostAddress() + " (" + owner.name() + ")"
                                + (e.isPermanent() ? "" : ": a learned entry from before it moved"), peerAdd));
            }
            return Optional.empty();
        }
        if (mode instanceof Mode.Multicast || h.floodsTo(vtep)) {
            return Optional.empty(); // unknown unicast reaches the target's VTEP by the group or the flood list
        }
        if (mode.floodsToVteps()) {
            return Optional.of(new Problem(Cause.MISSING_FDB, h.name() + " overlay FDB (" + direction + ")",
                    h.name() + "'s " + dev + " has neither an entry for " + mac + " nor a flood entry for "
                            + owner.name() + "'s VTEP " + vtep.getHostAddress(),
                    "overlaynet peer add " + network + " --vtep " + vtep.getHostAddress() + h.flags()));
        }
        if (h.learns()) {
            return Optional.of(new Problem(Cause.LEARNED_AGED_OUT, h.name() + " overlay FDB (" + direction + ")",
                    h.name() + "'s " + dev + " relies on learning (entries age out after " + h.ageing() + " s) and has"
                            + " no entry for " + mac + " any more, nor a flood entry to " + vtep.getHostAddress()
                            + ": it cannot send to " + target.label() + " until " + target.label() + " speaks first",
                    "make it permanent: " + peerAdd));
        }
        return Optional.of(new Problem(Cause.MISSING_FDB, h.name() + " overlay FDB (" + direction + ")",
                h.name() + "'s " + dev + " has no FDB entry for " + mac + " (" + target.label() + "): it does not learn,"
                        + " so frames for it are dropped", mode.runByAgent() ? "the agent adds it from the store; check it "
                + "runs: overlaynet host ls --store" : peerAdd));
    }

    /** A chain in the overlay's namespace that can drop bridged or forwarded traffic. */
    private Optional<Problem> firewall(HostView h) {
        for (Nft.Chain c : h.chains()) {
            boolean forwardPath = c.hook() == Nft.HOOK_FORWARD || c.hook() == Nft.HOOK_PREROUTING
                    || c.hook() == Nft.HOOK_POSTROUTING || c.family() == 5;
            if (forwardPath && c.drops()) {
                return Optional.of(new Problem(Cause.FORWARD_DROP, h.name() + " firewall",
                        "chain " + c.familyName() + " " + c.table() + " " + c.name() + " in " + h.overlayNs() + " "
                                + (c.policyDrop() ? "has policy drop" : "has " + c.dropRules() + " drop rule(s)")
                                + " on the path between the containers' ports",
                        "read it: nft list chain " + c.familyName() + " " + c.table() + " " + c.name()
                                + " (in " + h.overlayNs() + "); let the overlay's traffic through or delete it"));
            }
        }
        return Optional.empty();
    }
}
