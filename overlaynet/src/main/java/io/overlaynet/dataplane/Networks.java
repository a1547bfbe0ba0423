package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.Sysctl;
import io.overlaynet.netlink.rtnl.VxlanSpec;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code overlaynet network create|rm|ls|inspect}. Creating a network makes its overlay namespace and a
 * VXLAN device created in the host namespace (so its UDP socket stays on the underlay), then moved in.
 * The gateway address sits on a macvlan child of the VXLAN device ({@link Attach}, the default), or on a
 * bridge the VXLAN device is enslaved to. Order of kernel writes: allow-list rule, namespace, (bridge),
 * VXLAN, (gateway child), gateway address, record; a failure undoes the namespace, which takes everything
 * in it along.
 */
public final class Networks {
    private final Host host;
    private final boolean overlapAllowed;
    private final boolean open;
    private final boolean attachAsked;

    public Networks(Host host) {
        this(host, false, false, false);
    }

    private Networks(Host host, boolean overlapAllowed, boolean open, boolean attachAsked) {
        this.host = host;
        this.overlapAllowed = overlapAllowed;
        this.open = open;
        this.attachAsked = attachAsked;
    }

    /**
     * The same, with the configuration's attachment asked for explicitly: an existing network attached
     * otherwise is then refused. Without it an existing network keeps its attachment (one made before
     * macvlan became the default, or by an agent run with another {@code --attach}): attachment is a
     * host's way of building a network, not part of what the network is.
     */
    public Networks attachAsked() {
        return new Networks(host, overlapAllowed, open, true);
    }

    /**
     * The same, creating networks without the VTEP allow-list ({@link AllowList}): any sender on the
     * underlay can put frames into them. Needed for multicast networks, whose members are not known.
     */
    public Networks open() {
        return new Networks(host, overlapAllowed, true, attachAsked);
    }

    /**
     * The same, creating networks whose subnet overlaps another's on this host: tenants kept apart by
     * VNI alone (their overlay namespaces are separate). Refused by default, since a host that routes
     * for both (egress) could not tell their addresses apart.
     */
    public Networks allowingOverlap() {
        return new Networks(host, true, open, attachAsked);
    }

    public record Created(NetworkRecord record, boolean changed) {
    }

    /** Creates the network on the underlay named (or found, see {@link Underlay#detect}); idempotent. */
    public Created create(NetworkConfig cfg, Optional<String> underlayDevice) {
        return create(cfg, () -> Underlay.detect(host.rtnl(), underlayDevice));
    }

    /** Creates the network on an underlay the caller already found (to size the MTU, or as its VTEP). */
    public Created create(NetworkConfig cfg, Underlay underlay) {
        return create(cfg, () -> underlay);
    }

    /** The underlay is looked up only when the network is new: an existing one is compared, not rebuilt. */
    private Created create(NetworkConfig cfg, Supplier<Underlay> underlayOf) {
        Optional<NetworkRecord> existing = find(cfg.name());
        if (existing.isPresent()) {
            ensureSame(existing.get(), cfg);
            return new Created(existing.get(), false);
        }
        List<NetworkRecord> others = list();
        for (NetworkRecord other : others) {
            if (other.vni() == cfg.vni()) {
                throw new IllegalArgumentException("VNI " + cfg.vni() + " is already used by network " + other.name()
                        + " on this host: pick another --vni");
            }
            if (!overlapAllowed) {
                NetworkConfig.checkApart(cfg.name(), cfg.subnet(), other.name(), IpPrefix.parse(other.subnet()));
            }
        }
        if (!open && cfg.mode() instanceof Mode.Multicast) {
            throw new IllegalArgumentException("network " + cfg.name() + " is multicast: its members are not known "
                    + "in advance, so the VTEP allow-list cannot admit them; add --no-allow-list to run it open to any "
                    + "sender on the underlay, or use static or flood peers");
        }
        Underlay underlay = underlayOf.get();
        underlay.requireRoomFor(cfg.name(), cfg.mtu());
        // The allow-list's rule for this network is in before its VXLAN device exists: never open, not even briefly.
        List<NetworkRecord> withThis = new java.util.ArrayList<>(others);
        withThis.add(record(cfg, underlay, "", ""));
        if (!open || withThis.stream().anyMatch(NetworkRecord::allowList)) {
            AllowList.sync(host, withThis);
        }
        NetworkRecord record;
        try {
            record = cfg.bridge().isPresent() ? onExistingBridge(cfg, underlay) : withOverlayNamespace(cfg, underlay);
        } catch (RuntimeException e) {
            AllowList.sync(host, others);
            throw e;
        }
        host.state().write(path(cfg.name()), record);
        if (record.egress()) {
            try {
                Egress.sync(host, list());
            } catch (RuntimeException e) {
                remove(cfg.name());
                throw e;
            }
        }
        return new Created(record, true);
    }

    /**
     * Applied inside a new overlay namespace before anything is in it: forwarding on, no IPv6 on the
     * bridge ports (the networks are IPv4), and no iptables hooks on bridged frames (see
     * {@link BridgeNetfilter}; skipped where br_netfilter is not loaded).
     */
    static final List<Sysctl.Setting> OVERLAY_SYSCTLS = Stream.concat(Stream.of(
            Sysctl.Setting.of("net.ipv4.ip_forward", "1"),
            Sysctl.Setting.of("net.ipv6.conf.all.disable_ipv6", "1"),
            Sysctl.Setting.of("net.ipv6.conf.default.disable_ipv6", "1")),
            BridgeNetfilter.settings(false).stream()).toList();

    /** The VXLAN device's name in the host namespace, before it moves into the overlay namespace. */
    private static String tempVxlanName(int vni) {
        return "onv" + vni;
    }

    private VxlanSpec vxlanSpec(NetworkConfig cfg, Underlay underlay) {
        VxlanSpec v = VxlanSpec.of(cfg.vni()).port(cfg.port()).local(underlay.address())
                .learning(cfg.mode().learns())
                // proxy answers ARP from the neighbour table: right for static wiring, wrong when ARP must cross.
                .proxy(cfg.mode().proxiesArp())
                .l2miss(cfg.mode() instanceof Mode.Reactive).l3miss(cfg.mode() instanceof Mode.Reactive)
                .udpCsum(cfg.udpCsum());
        if (underlay.bind()) {
            v = v.device(underlay.index());
        }
        if (cfg.mode() instanceof Mode.Multicast m) {
            v = v.group(m.group());
        }
        return v;
    }

    /**
     * The VXLAN device of an overlay namespace: made in the host namespace (so its UDP socket stays on
     * the underlay), moved in and renamed vxlan1 in the same request, enslaved to br0, up.
     */
    public void addVxlan(NetNs overlayNs, Rtnl inOverlay, VxlanSpec spec, int vni, int mtu) {
        addVxlan(overlayNs, inOverlay, spec, vni, mtu, Attach.BRIDGE);
    }

    /** The same; attached by macvlan, vxlan1 stays on its own (its children are the ports). */
    private void addVxlan(NetNs overlayNs, Rtnl inOverlay, VxlanSpec spec, int vni, int mtu, Attach attach) {
        host.rtnl().links().addAndMove(LinkSpec.of(tempVxlanName(vni), spec).mtu(mtu), overlayNs, Overlay.VXLAN);
        if (attach == Attach.BRIDGE) {
            inOverlay.links().setMaster(Overlay.VXLAN, Overlay.BRIDGE);
        }
        inOverlay.links().setUp(Overlay.VXLAN);
    }

    private NetworkRecord withOverlayNamespace(NetworkConfig cfg, Underlay underlay) {
        String nsName = host.overlayNamespace(cfg.name());
        if (NetNamespaces.exists(nsName)) {
            throw new IllegalStateException("namespace " + nsName + " exists but overlaynet has no record of network "
                    + cfg.name() + ": remove it with 'ip netns del " + nsName + "' or use another --ns-prefix");
        }
        Rtnl rt = Rtnl.createNamespace(nsName, OVERLAY_SYSCTLS);
        try (rt; NetNs ns = rt.namespace().orElseThrow()) {
            rt.links().setUp("lo");
            if (cfg.attach() == Attach.BRIDGE) {
                rt.links().add(LinkSpec.of(Overlay.BRIDGE, LinkKind.Bridge.DEFAULT).mtu(cfg.mtu()).up(true));
            }
            addVxlan(ns, rt, vxlanSpec(cfg, underlay), cfg.vni(), cfg.mtu(), cfg.attach());
            if (cfg.attach() == Attach.MACVLAN) {
                // The gateway is a child of vxlan1 like the containers: a macvlan's lower device does not
                // see its children's frames, so the address could not sit on vxlan1.
                rt.links().add(LinkSpec.of(Overlay.GATEWAY, new LinkKind.Macvlan(rt.links().index(Overlay.VXLAN)))
                        .mtu(cfg.mtu()).up(true));
            }
            rt.addresses().add(cfg.attach() == Attach.MACVLAN ? Overlay.GATEWAY : Overlay.BRIDGE, cfg.gatewayPrefix());
            if (cfg.egress()) {
                Egress.add(host, ns, rt, cfg, underlay.device());
            }
        } catch (RuntimeException e) {
            deleteOverlayNamespace(nsName);
            throw e;
        }
        return record(cfg, underlay, nsName, Overlay.VXLAN);
    }

    private NetworkRecord onExistingBridge(NetworkConfig cfg, Underlay underlay) {
        String bridge = cfg.bridge().orElseThrow();
        Rtnl rt = host.rtnl();
        int master = rt.links().find(bridge).orElseThrow(() -> new IllegalArgumentException("bridge " + bridge
                + " does not exist on this host: create it or leave out --bridge")).index();
        String dev = tempVxlanName(cfg.vni());
        rt.links().add(LinkSpec.of(dev, vxlanSpec(cfg, underlay)).mtu(cfg.mtu()).master(master)
                .alias(Host.OWNER_ALIAS + ":" + cfg.name()));
        try {
            rt.links().setUp(dev);
        } catch (RuntimeException e) {
            rt.links().deleteIfExists(dev);
            throw e;
        }
        return record(cfg, underlay, "", dev);
    }

    private NetworkRecord record(NetworkConfig cfg, Underlay u, String ns, String vxlan) {
        return new NetworkRecord(cfg.name(), cfg.vni(), cfg.subnet().toString(), cfg.gateway().getHostAddress(),
                cfg.mtu(), cfg.port(), cfg.mode().toString(), cfg.bridge(), u.device(), u.address().getHostAddress(),
                ns, vxlan, cfg.udpCsum(), cfg.egress(), !open, cfg.attach().toString());
    }

    /** flannel-style ensure: an existing network must match field by field, else say which field differs. */
    private void ensureSame(NetworkRecord r, NetworkConfig cfg) {
        check(r.name(), "vni", r.vni(), cfg.vni());
        check(r.name(), "subnet", r.subnet(), cfg.subnet().toString());
        check(r.name(), "gateway", r.gateway(), cfg.gateway().getHostAddress());
        check(r.name(), "mtu", r.mtu(), cfg.mtu());
        check(r.name(), "port", r.port(), cfg.port());
        check(r.name(), "mode", r.mode(), cfg.mode().toString());
        check(r.name(), "udp checksum", r.udpCsum(), cfg.udpCsum());
        check(r.name(), "bridge", r.bridge(), cfg.bridge());
        check(r.name(), "egress", r.egress(), cfg.egress());
        check(r.name(), "VTEP allow-list", r.allowList(), !open);
        if (attachAsked) {
            check(r.name(), "attachment", r.attachment(), cfg.attach());
        }
    }

    private static void check(String network, String field, Object have, Object want) {
        if (!have.equals(want)) {
            throw new IllegalArgumentException("network " + network + " exists with " + field + " " + have
                    + ", asked for " + want + ": remove it first ('overlaynet network rm " + network + "')");
        }
    }

    /** Removes the network, its local endpoints and peers; returns false when it was not there. */
    public boolean remove(String name) {
        NetworkConfig.checkName(name);
        Optional<NetworkRecord> rec = find(name);
        if (rec.isEmpty()) {
            return false;
        }
        Endpoints endpoints = new Endpoints(host);
        for (Records.EndpointRecord e : endpoints.list(Optional.of(name))) {
            endpoints.remove(name, e.name());
        }
        NetworkRecord r = rec.get();
        host.forget(name);
        if (r.bridge().isPresent()) {
            host.rtnl().links().find(r.vxlanDevice())
                    .filter(l -> l.alias().orElse("").equals(Host.OWNER_ALIAS + ":" + name))
                    .ifPresent(l -> host.rtnl().links().delete(l.name()));
        } else {
            deleteOverlayNamespace(r.overlayNamespace());
        }
        if (r.egress()) {
            Egress.remove(host, r);
        }
        host.state().deleteTree("peers/" + name);
        host.state().deleteTree("endpoints/" + name);
        EndpointJournal.forget(host.state().root(), name);
        host.state().delete(path(name));
        if (r.egress()) {
            Egress.sync(host, list());
        }
        if (r.allowList()) {
            AllowList.sync(host, list());
        }
        AllowList.syncPeers(host);
        return true;
    }

    /**
     * Deletes an overlay namespace, its VXLAN device first: the kernel tears a namespace down later, on its
     * own time, and until then the device (and the VNI it holds on the UDP port) would outlive the
     * namespace's name, so a create right after would find the VNI taken.
     */
    private static void deleteOverlayNamespace(String name) {
        if (NetNamespaces.exists(name)) {
            try (NetNs ns = NetNs.named(name); Rtnl rt = Rtnl.open(ns)) {
                rt.links().deleteIfExists(Overlay.VXLAN);
            } catch (io.overlaynet.netlink.netns.NamespaceException gone) {
                // the namespace went meanwhile: so did its device
            }
        }
        NetNamespaces.deleteIfExists(name);
    }

    /** Removes every network recorded on this host (see {@link #remove}); returns how many there were. */
    public int removeAll() {
        List<NetworkRecord> all = list();
        all.forEach(r -> remove(r.name()));
        return all.size();
    }

    public List<NetworkRecord> list() {
        return list(host.state());
    }

    /** The networks recorded in a host's records (read only: nothing in the kernel is opened). */
    public static List<NetworkRecord> list(io.overlaynet.state.LocalState records) {
        return records.list("networks", NetworkRecord.class);
    }

    public Optional<NetworkRecord> find(String name) {
        return host.state().readCached(path(name), NetworkRecord.class);
    }

    public NetworkRecord get(String name) {
        NetworkConfig.checkName(name);
        return find(name).orElseThrow(() -> new IllegalArgumentException("network " + name
                + " does not exist on this host: create it with 'overlaynet network create " + name + " ...'"));
    }

    private static String path(String name) {
        return "networks/" + name + ".json";
    }
}
