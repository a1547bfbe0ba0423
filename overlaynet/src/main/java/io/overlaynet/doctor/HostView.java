package io.overlaynet.doctor;

import io.overlaynet.agent.AgentIndex;
import io.overlaynet.dataplane.AllowList;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.nft.Nft;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.Rtnl;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One host's part of one network, read from the kernel at one moment: the links on the path, the
 * overlay's ARP and FDB entries, its firewall chains, the underlay routes to the other hosts, the
 * local containers as they really are (their MAC read from the interface, not the record), and
 * whether the agent that should keep it runs.
 *
 * @param flags    the options that make a command act as this host ({@code --host-ns ... --ns-prefix ...})
 * @param routes   for each other host's VTEP: empty when the kernel has a route to it, else why not
 */
public record HostView(String name, String flags, String hostNsName, String overlayNs, NetworkRecord network, Mode mode,
                       InetAddress vtep, Optional<Link> underlay, Optional<Link> bridge, Optional<Link> vxlan,
                       List<Neighbour> arp, List<FdbEntry> fdb, List<EndpointView> endpoints, List<Nft.Chain> chains,
                       Map<String, Optional<String>> routes, boolean agentExpected, boolean agentAlive, boolean seen,
                       Set<String> admitted) {

    /**
     * A host this one cannot look into (a real remote host): known only by its VTEP and the endpoints the
     * store or the peer records place behind it. The walk checks nothing on its side.
     */
    static HostView remote(String name, InetAddress vtep, NetworkRecord network, List<EndpointView> endpoints) {
        return new HostView(name, "", "", "", network, Mode.parse(network.mode()), vtep, Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), List.of(), endpoints, List.of(), Map.of(), false, false, false, Set.of());
    }

    /** A host to look at: the namespace that is the host (empty: the caller's), its prefix and state root. */
    public record Spec(String name, Optional<String> hostNs, String prefix, Path stateRoot) {
        String flags() {
            StringBuilder b = new StringBuilder();
            hostNs.ifPresent(ns -> b.append(" --host-ns ").append(ns));
            if (!prefix.isEmpty()) {
                b.append(" --ns-prefix ").append(prefix);
            }
            return b.toString();
        }
    }

    /**
     * A container as found: {@code mac} is its interface's, {@code eth0} and {@code hostVeth} are empty
     * when the interface is gone, {@code addressed} whether its IP is on the interface.
     */
    public record EndpointView(String host, String name, String namespace, String ip, String mac, Optional<Link> eth0,
                               boolean addressed, Optional<Link> hostVeth) {
        public String label() {
            return name + "@" + host;
        }
    }

    /** The VXLAN device's VNI, as the kernel has it (the record's when the device is gone). */
    public int vni() {
        return vxlan.flatMap(Link::vxlan).map(v -> v.vni()).orElse(network.vni());
    }

    /** The VXLAN device's UDP port, as the kernel has it (the record's when the device is gone or says none). */
    public int port() {
        return vxlan.flatMap(Link::vxlan).flatMap(v -> v.port()).orElse(network.port());
    }

    public Optional<Neighbour> arpFor(String ip) {
        InetAddress a = Ip.parse(ip);
        return arp.stream().filter(n -> n.ip().equals(a)).findFirst();
    }

    /** The device's own (self) entries for one MAC. */
    public List<FdbEntry> fdbFor(MacAddress mac) {
        return fdb.stream().filter(e -> e.mac().equals(mac)).toList();
    }

    /** Whether an all-zeros (flood) entry sends unknown traffic to {@code vtep}. */
    public boolean floodsTo(InetAddress vtep) {
        return fdb.stream().anyMatch(e -> e.mac().equals(MacAddress.ZERO) && e.dst().map(vtep::equals).orElse(false));
    }

    /** Whether the VXLAN device learns remote MACs from what it receives. */
    public boolean learns() {
        return vxlan.flatMap(Link::vxlan).map(v -> v.learning().orElse(mode.learns())).orElse(mode.learns());
    }

    /** The VXLAN device's ageing time in seconds (300 when the kernel does not say). */
    public int ageing() {
        return vxlan.flatMap(Link::vxlan).flatMap(v -> v.ageing()).orElse(300);
    }

    /**
     * Reads one host's part of {@code network}; {@code otherVteps} are the VTEPs whose underlay route is
     * looked up. Empty when the host has no such network.
     */
    public static Optional<HostView> collect(Spec spec, String networkName, Collection<InetAddress> otherVteps) {
        try (Host host = Host.open(spec.prefix(), spec.stateRoot(), spec.hostNs())) {
            Optional<NetworkRecord> rec = new Networks(host).find(networkName);
            if (rec.isEmpty()) {
                return Optional.empty();
            }
            NetworkRecord net = rec.get();
            Mode mode = Mode.parse(net.mode());
            InetAddress vtep = Ip.parse(net.vtep());
            Optional<Link> underlay = host.rtnl().links().find(net.underlay());
            Map<String, Optional<String>> routes = new LinkedHashMap<>();
            for (InetAddress other : otherVteps) {
                if (!other.equals(vtep)) {
                    routes.put(other.getHostAddress(), routeProblem(host.rtnl(), other));
                }
            }
            Optional<Link> bridge = Optional.empty();
            Optional<Link> vxlan = Optional.empty();
            List<Neighbour> arp = List.of();
            List<FdbEntry> fdb = List.of();
            List<Nft.Chain> chains = List.of();
            Map<String, Link> overlayLinks = new LinkedHashMap<>();
            boolean overlayThere = net.bridge().isPresent() || NetNamespaces.exists(net.overlayNamespace());
            if (overlayThere) {
                Overlay o = host.overlay(net);
                o.rtnl().links().list().forEach(l -> overlayLinks.put(l.name(), l));
                bridge = Optional.ofNullable(overlayLinks.get(o.gatewayDevice()));
                vxlan = Optional.ofNullable(overlayLinks.get(o.vxlan()));
                if (vxlan.isPresent()) {
                    int index = vxlan.get().index();
                    arp = o.rtnl().neighbours().list(index);
                    fdb = o.rtnl().fdb().list(index).stream().filter(FdbEntry::isSelf).toList();
                }
                NetNs ns = o.namespace().orElse(host.namespace());
                try (Nft nft = Nft.open(ns)) {
                    chains = nft.baseChains();
                }
            }
            List<EndpointView> endpoints = new ArrayList<>();
            for (EndpointRecord e : new Endpoints(host).list(Optional.of(networkName))) {
                endpoints.add(endpoint(spec.name(), e, Optional.ofNullable(overlayLinks.get(e.hostVeth()))));
            }
            boolean agentExpected = mode.runByAgent();
            boolean agentAlive = agentExpected && AgentIndex.find(spec.hostNs()).isPresent();
            return Optional.of(new HostView(spec.name(), spec.flags(), spec.hostNs().orElse(""),
                    net.bridge().isPresent() ? spec.hostNs().orElse("") : net.overlayNamespace(), net, mode, vtep,
                    underlay, bridge, vxlan, arp, fdb, endpoints, chains, routes, agentExpected, agentAlive, true,
                    admitted(host)));
        }
    }

    /** The VTEPs the host's allow-list lets in (its peers and live hosts). */
    private static Set<String> admitted(Host host) {
        Set<String> out = new java.util.TreeSet<>();
        for (String set : List.of(AllowList.PEERS, AllowList.HOSTS)) {
            AllowList.members(host, set).forEach(a -> out.add(a.getHostAddress()));
        }
        return out;
    }

    private static Optional<String> routeProblem(Rtnl rtnl, InetAddress to) {
        try {
            rtnl.routes().get(to);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static EndpointView endpoint(String host, EndpointRecord e, Optional<Link> hostVeth) {
        Optional<Link> eth0 = Optional.empty();
        boolean addressed = false;
        try (NetNs ns = e.namespace().startsWith("/") ? NetNs.open(Path.of(e.namespace())) : NetNs.named(e.namespace());
             Rtnl rt = Rtnl.open(ns)) {
            eth0 = rt.links().find(e.containerIf());
            if (eth0.isPresent()) {
                InetAddress ip = Ip.parse(e.ip());
                int index = eth0.get().index();
                addressed = rt.addresses().list().stream()
                        .anyMatch(a -> a.index() == index && a.prefix().address().equals(ip));
            }
        } catch (RuntimeException gone) {
            // the container's namespace is gone: no interface, no address
        }
        String mac = eth0.flatMap(Link::mac).map(MacAddress::toString).orElse(e.mac());
        return new EndpointView(host, e.name(), e.namespace(), e.ip(), mac, eth0, addressed, hostVeth);
    }
}
