package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Route;
import io.overlaynet.netlink.rtnl.Rtnl;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * {@code overlaynet endpoint add|rm|ls}: a container namespace joined to a network by a veth pair.
 * Add is idempotent and atomic: every step pushes its undo, and a failure runs them in reverse.
 */
public final class Endpoints {
    public static final String CONTAINER_IF = "eth0";
    /** ARP retransmit time in containers of reactive networks (the kernel default is 1000 ms). */
    public static final int ARP_RETRANSMIT_MS = 10;
    private final Host host;

    public Endpoints(Host host) {
        this.host = host;
    }

    /**
     * What to attach.
     *
     * @param namespacePath an existing namespace ({@code /proc/PID/ns/net}, {@code /run/netns/NAME}, a
     *                      Docker SandboxKey); empty: create a named namespace for the container
     */
    public record Request(String network, String name, InetAddress ip, Optional<MacAddress> mac,
                          Optional<Path> namespacePath) {
        public Request {
            checkName(name);
        }
    }

    public record Added(EndpointRecord record, boolean changed) {
    }

    /** The local endpoint holding {@code ip} in {@code network}, if any (one symlink lookup). */
    public Optional<String> byIp(String network, InetAddress ip) {
        return host.state().readLink(ipPath(network, ip.getHostAddress()));
    }

    /** Docker's convention: 02:42 followed by the four IPv4 bytes. */
    public static MacAddress macFor(InetAddress ip) {
        byte[] b = ip.getAddress();
        return new MacAddress(0x0242_0000_0000L | (Integer.toUnsignedLong(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16)
                | ((b[2] & 0xff) << 8) | (b[3] & 0xff))));
    }

    public static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("invalid endpoint name '" + name
                    + "': use 1-64 of letters, digits, '.', '_', '-'");
        }
        return name;
    }

    public Added add(Request req) {
        NetworkRecord net = new Networks(host).get(req.network());
        InetAddress ip = req.ip();
        MacAddress mac = req.mac().orElse(macFor(ip));
        config(net).checkEndpointIp(ip);
        Optional<EndpointRecord> same = find(req.network(), req.name());
        String nsText = req.namespacePath().map(Path::toString).orElse(host.containerNamespace(req.name()));
        if (same.isPresent()) {
            EndpointRecord e = same.get();
            if (e.ip().equals(ip.getHostAddress()) && e.mac().equals(mac.toString()) && e.namespace().equals(nsText)) {
                return new Added(e, false);
            }
            throw new IllegalArgumentException("endpoint " + req.name() + " already exists in network " + req.network()
                    + " with IP " + e.ip() + " and MAC " + e.mac() + ": remove it first");
        }
        Optional<String> holder = byIp(req.network(), ip);
        if (holder.isPresent()) {
            throw new IllegalArgumentException("IP " + ip.getHostAddress() + " is already used by endpoint "
                    + holder.get() + " in network " + req.network());
        }
        if (new Peers(host).find(req.network(), ip).isPresent()) {
            throw new IllegalArgumentException("IP " + ip.getHostAddress() + " belongs to a remote endpoint (peer) of network "
                    + req.network());
        }
        EndpointRecord rec = attach(net, req, ip, mac, nsText, Mode.parse(net.mode()) instanceof Mode.Reactive);
        host.state().link(ipPath(req.network(), ip.getHostAddress()), req.name());
        host.state().write(path(req.network(), req.name()), rec);
        return new Added(rec, true);
    }

    private EndpointRecord attach(NetworkRecord net, Request req, InetAddress ip, MacAddress mac, String nsText,
                                  boolean fastArp) {
        boolean own = req.namespacePath().isEmpty();
        String hostVeth = vethName(req.network(), req.name());
        Overlay overlay = host.overlay(net);
        // Undo steps run newest first.
        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            try (Rtnl inCtr = containerHandle(req, nsText, own, undo); NetNs ctr = inCtr.namespace().orElseThrow()) {
                plug(overlay, inCtr, ctr, net, hostVeth, ip, mac, nsText, own, undo);
                if (fastArp) {
                    // Reactive networks drop the packet that missed; the container retries after this.
                    inCtr.sysctl().arpRetransmitMillis(CONTAINER_IF, ARP_RETRANSMIT_MS);
                    inCtr.sysctl().set("net.ipv4.neigh." + CONTAINER_IF + ".mcast_solicit", "10");
                }
            }
        } catch (RuntimeException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        return new EndpointRecord(req.network(), req.name(), ip.getHostAddress(), mac.toString(), nsText, own,
                hostVeth, CONTAINER_IF);
    }

    /** A handle inside the container's namespace: a new named one (made and opened in one step) or the given one. */
    private static Rtnl containerHandle(Request req, String nsText, boolean own, Deque<Runnable> undo) {
        if (!own) {
            NetNs ns = NetNs.open(req.namespacePath().get());
            try {
                return Rtnl.open(ns);
            } catch (RuntimeException e) {
                ns.close();
                throw e;
            }
        }
        if (NetNamespaces.exists(nsText)) {
            throw new IllegalArgumentException("namespace " + nsText + " already exists: attach it with --netns "
                    + "/run/netns/" + nsText + " or pick another endpoint name");
        }
        Rtnl rt = Rtnl.createNamespace(nsText);
        undo.push(() -> NetNamespaces.deleteIfExists(nsText));
        return rt;
    }

    /** veth (bridge side up, container side eth0), then lo, address, eth0 up, default route via the gateway. */
    private static void plug(Overlay overlay, Rtnl inCtr, NetNs ctr, NetworkRecord net, String hostVeth,
                             InetAddress ip, MacAddress mac, String nsText, boolean own, Deque<Runnable> undo) {
        // A namespace we just made has no eth0; one we were given may (then it is attached elsewhere).
        if (!own && inCtr.links().find(CONTAINER_IF).isPresent()) {
            throw new IllegalArgumentException("namespace " + nsText + " already has an " + CONTAINER_IF
                    + ": it is attached to something else");
        }
        int master = overlay.bridgeIndex();
        // Bridge side: the pair (peer made directly in the container), then the ownership alias; one datagram.
        LinkSpec pair = LinkSpec.of(hostVeth, LinkKind.Veth.peer(CONTAINER_IF).in(ctr).mac(mac).mtu(net.mtu()))
                .mtu(net.mtu()).master(master).up(true);
        BatchResult made = overlay.rtnl().batch(List.of(overlay.rtnl().links().addRequest(pair),
                overlay.rtnl().links().setAliasRequest(hostVeth, Host.OWNER_ALIAS)));
        if (made.failures().stream().noneMatch(f -> f.index() == 0)) {
            undo.push(() -> overlay.rtnl().links().deleteIfExists(hostVeth));
        }
        made.throwIfFailed();
        // Container side, in order, one datagram: lo up, address, eth0 up, default route via the gateway.
        int eth0 = inCtr.links().index(CONTAINER_IF);
        inCtr.batch(List.of(
                inCtr.links().setUpRequest("lo"),
                inCtr.addresses().addRequest(eth0, new IpPrefix(ip, IpPrefix.parse(net.subnet()).length())),
                inCtr.links().setUpRequest(CONTAINER_IF),
                inCtr.routes().request(Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                        Route.defaultVia(Ip.parse(net.gateway()), eth0), "route add"))).throwIfFailed();
    }

    /** A stable, unique, 15-byte-safe name for the bridge side: "ve" + 8 hex of the endpoint's identity. */
    static String vethName(String network, String name) {
        return "ve" + String.format("%08x", (network + "/" + name).hashCode());
    }

    /** Removes the endpoint; returns false when it was not there. */
    public boolean remove(String network, String name) {
        checkName(name);
        Optional<EndpointRecord> rec = find(network, name);
        if (rec.isEmpty()) {
            return false;
        }
        EndpointRecord e = rec.get();
        new Networks(host).find(network).ifPresent(net -> {
            if (net.bridge().isPresent() || NetNamespaces.exists(net.overlayNamespace())) {
                host.overlay(net).rtnl().links().deleteIfExists(e.hostVeth());
            }
        });
        if (e.ownNamespace()) {
            NetNamespaces.deleteIfExists(e.namespace());
        }
        host.state().delete(ipPath(network, e.ip()));
        host.state().delete(path(network, name));
        return true;
    }

    public List<EndpointRecord> list(Optional<String> network) {
        if (network.isPresent()) {
            return host.state().list("endpoints/" + network.get(), EndpointRecord.class);
        }
        return new Networks(host).list().stream()
                .flatMap(n -> host.state().list("endpoints/" + n.name(), EndpointRecord.class).stream()).toList();
    }

    public Optional<EndpointRecord> find(String network, String name) {
        return host.state().read(path(network, name), EndpointRecord.class);
    }

    static NetworkConfig config(NetworkRecord r) {
        return new NetworkConfig(r.name(), r.vni(), IpPrefix.parse(r.subnet()), Ip.parse(r.gateway()), r.mtu(),
                r.port(), Mode.parse(r.mode()), r.bridge());
    }

    private static String path(String network, String name) {
        return "endpoints/" + network + "/" + name + ".json";
    }

    /** The IP claim: a symlink named after the address, pointing at the endpoint's name. */
    private static String ipPath(String network, String ip) {
        return "endpoints/" + network + "/by-ip/" + ip;
    }
}
