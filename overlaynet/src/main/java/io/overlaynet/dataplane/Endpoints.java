package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.netns.NamespaceException;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Check;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkOps;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Route;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.sys.Errno;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code overlaynet endpoint add|rm|ls}: a container namespace joined to a network by a veth pair, or by
 * a macvlan child of its VXLAN device ({@link Attach}).
 * Add is idempotent and atomic: every step pushes its undo, and a failure runs them in reverse.
 */
public final class Endpoints {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
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
                          Optional<Path> namespacePath, String ifname) {
        public Request {
            checkName(name);
            Check.linkName(ifname);
        }

        /** The container's interface named {@code eth0}, as most runtimes name it. */
        public Request(String network, String name, InetAddress ip, Optional<MacAddress> mac, Optional<Path> namespacePath) {
            this(network, name, ip, mac, namespacePath, CONTAINER_IF);
        }
    }

    public record Added(EndpointRecord record, boolean changed) {
    }

    /** The local endpoint holding {@code ip} in {@code network}, if any (also while it is being added). */
    public Optional<String> byIp(String network, InetAddress ip) {
        return journal(network).byIp(ip.getHostAddress()).map(e -> e.record().name());
    }

    private EndpointJournal journal(String network) {
        return new EndpointJournal(host.state().root(), network);
    }

    /** Docker's convention: 02:42 followed by the four IPv4 bytes. */
    public static MacAddress macFor(InetAddress ip) {
        byte[] b = ip.getAddress();
        return new MacAddress(0x0242_0000_0000L | (Integer.toUnsignedLong(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16)
                | ((b[2] & 0xff) << 8) | (b[3] & 0xff))));
    }

    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid endpoint name '" + name
                    + "': use 1-64 of letters, digits, '.', '_', '-'");
        }
        return name;
    }

    public Added add(Request req) {
        boolean own = req.namespacePath().isEmpty();
        String nsText = req.namespacePath().map(Path::toString).orElse(host.containerNamespace(req.name()));
        NetworkRecord net = new Networks(host).get(req.network());
        NetworkConfig cfg = NetworkConfig.of(net);
        cfg.checkEndpointIp(req.ip());
        MacAddress mac = req.mac().orElse(macFor(req.ip()));
        boolean macvlan = cfg.attach() == Attach.MACVLAN;
        EndpointRecord rec = new EndpointRecord(req.network(), req.name(), req.ip().getHostAddress(), mac.toString(),
                nsText, own, macvlan ? "" : vethName(req.network(), req.name()), req.ifname());
        // Name and IP are claimed in the network's journal before anything is made. What holds either
        // already decides: this very endpoint (add is idempotent) or a conflict.
        EndpointJournal journal = journal(req.network());
        Optional<EndpointJournal.Entry> held = journal.claim(rec);
        if (held.isPresent()) {
            return new Added(existing(req, rec, held.get()), false);
        }
        // Undo steps run newest first.
        Deque<Runnable> undo = new ArrayDeque<>();
        undo.push(() -> journal.release(req.name()));
        try {
            if (new Peers(host).exists(req.network(), req.ip())) {
                throw new IllegalArgumentException("IP " + rec.ip() + " belongs to a remote endpoint (peer) of network "
                        + req.network());
            }
            if (own && NetNamespaces.exists(nsText)) {
                throw new IllegalArgumentException("namespace " + nsText + " already exists: attach it with --netns "
                        + "/run/netns/" + nsText + " or pick another endpoint name");
            }
            try (Rtnl inCtr = own ? makeNamespace(nsText, undo) : openExisting(req.namespacePath().get());
                 NetNs ctr = inCtr.namespace().orElseThrow()) {
                // A namespace we just made has no eth0; one we were given may (then it is attached elsewhere).
                if (!own && inCtr.links().find(req.ifname()).isPresent()) {
                    throw new IllegalArgumentException("namespace " + nsText + " already has an " + req.ifname()
                            + ": it is attached to something else");
                }
                if (macvlan) {
                    plugMacvlan(host.overlay(net), inCtr, ctr, cfg, rec, mac, own, undo);
                } else {
                    plug(host.overlay(net), inCtr, ctr, cfg, rec, mac, own, undo);
                }
                if (cfg.mode() instanceof Mode.Reactive) {
                    // Reactive networks drop the packet that missed; the container retries after this.
                    inCtr.sysctl().arpRetransmitMillis(req.ifname(), ARP_RETRANSMIT_MS);
                    inCtr.sysctl().set("net.ipv4.neigh." + req.ifname() + ".mcast_solicit", "10");
                }
            }
            journal.ready(req.name());
            return new Added(rec, true);
        } catch (RuntimeException e) {
            runUndo(undo, e);
            throw e;
        }
    }

    /**
     * The claim found {@code held} in the way: returns it when it is exactly the endpoint asked for and
     * works (add is idempotent); otherwise says what is in the way.
     */
    private static EndpointRecord existing(Request req, EndpointRecord wanted, EndpointJournal.Entry held) {
        EndpointRecord e = held.record();
        if (!e.name().equals(req.name())) {
            throw new IllegalArgumentException("IP " + wanted.ip() + " is already used by endpoint " + e.name()
                    + " in network " + req.network());
        }
        if (!held.ready()) {
            throw beingAdded(req);
        }
        if (e.ip().equals(wanted.ip()) && e.mac().equals(wanted.mac()) && e.namespace().equals(wanted.namespace())) {
            return e;
        }
        throw new IllegalArgumentException("endpoint " + req.name() + " already exists in network " + req.network()
                + " with IP " + e.ip() + " and MAC " + e.mac() + ": remove it first");
    }

    private static IllegalArgumentException beingAdded(Request req) {
        return new IllegalArgumentException("endpoint " + req.name() + " of network " + req.network() + " is being "
                + "added by another command, or an earlier add was cut short: wait, or remove it with "
                + "'overlaynet endpoint rm " + req.network() + " " + req.name() + "'");
    }

    /** Runs the undo steps newest first; their own failures are added to {@code cause}. */
    private static void runUndo(Deque<Runnable> undo, RuntimeException cause) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException cleanup) {
                cause.addSuppressed(cleanup);
            }
        }
    }

    /** A new named namespace for the container, made on this thread; undo removes it. */
    private static Rtnl makeNamespace(String name, Deque<Runnable> undo) {
        Rtnl rt = Rtnl.createNamespace(name);
        undo.push(() -> NetNamespaces.deleteIfExists(name));
        return rt;
    }

    private static Rtnl openExisting(Path path) {
        NetNs ns = NetNs.open(path);
        try {
            return Rtnl.open(ns);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /**
     * Macvlan attachment: a child of vxlan1 made directly in the container's namespace as eth0 (one request:
     * it exists whole or not at all), then lo, address, eth0 up and the routes as {@link #plug} does. Frames
     * between children of one vxlan1 stay on the host; the rest go out through vxlan1 with its FDB,
     * neighbour table, ARP proxy and misses as on the bridge.
     */
    private static void plugMacvlan(Overlay overlay, Rtnl inCtr, NetNs ctr, NetworkConfig net, EndpointRecord rec,
                                    MacAddress mac, boolean own, Deque<Runnable> undo) {
        String ifname = rec.containerIf();
        overlay.rtnl().links().add(LinkSpec.of(ifname, new LinkKind.Macvlan(overlay.vxlanIndex())).in(ctr).mac(mac)
                .mtu(net.mtu()));
        if (!own) {
            // A namespace we made goes whole; in one we were given, only the child we just made goes.
            undo.push(() -> inGivenNamespace(rec, rt -> rt.links().deleteIfExists(ifname)));
        }
        int eth0 = inCtr.links().index(ifname);
        List<io.overlaynet.netlink.socket.Request> steps = new ArrayList<>();
        steps.add(inCtr.links().setAliasRequest(ifname, Host.OWNER_ALIAS));
        steps.addAll(containerSteps(inCtr, net, ifname, eth0, Ip.parse(rec.ip()), own));
        inCtr.batch(steps).throwIfFailed();
    }

    /**
     * The container side of an attach, in order, for one datagram: eth0 without IPv6 addresses (only in
     * namespaces we made), lo up, the address, eth0 up, the subnet route the kernel made for the address
     * replaced by the same one with the network's advmss, the default route via the gateway.
     */
    private static List<io.overlaynet.netlink.socket.Request> containerSteps(Rtnl inCtr, NetworkConfig net,
                                                                           String ifname, int eth0, InetAddress ip,
                                                                           boolean own) {
        IpPrefix address = new IpPrefix(ip, net.subnet().length());
        List<io.overlaynet.netlink.socket.Request> steps = new ArrayList<>();
        if (own) {
            steps.add(inCtr.links().addrGenModeNoneRequest(ifname));
        }
        steps.addAll(List.of(
                inCtr.links().setUpRequest("lo"),
                inCtr.addresses().addRequest(eth0, address),
                inCtr.links().setUpRequest(ifname),
                inCtr.routes().request(Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE,
                        subnetRoute(net, address, eth0, true), "route replace"),
                inCtr.routes().request(Rtm.NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL,
                        defaultRoute(net, eth0, true), "route add")));
        return steps;
    }

    /** Runs {@code work} in the namespace an endpoint was given, when it is still there (else its links went with it). */
    private static void inGivenNamespace(EndpointRecord rec, java.util.function.Consumer<Rtnl> work) {
        Path path = Path.of(rec.namespace());
        if (!java.nio.file.Files.exists(path)) {
            return;
        }
        try (NetNs ns = NetNs.open(path); Rtnl rt = Rtnl.open(ns)) {
            work.accept(rt);
        } catch (NamespaceException gone) {
            // the namespace went while we looked: its interfaces went with it
        }
    }

    /** veth (bridge side up, container side eth0), then lo, address, eth0 up, default route via the gateway. */
    private static void plug(Overlay overlay, Rtnl inCtr, NetNs ctr, NetworkConfig net, EndpointRecord rec,
                             MacAddress mac, boolean own, Deque<Runnable> undo) {
        String hostVeth = rec.hostVeth();
        String ifname = rec.containerIf();
        InetAddress ip = Ip.parse(rec.ip());
        int master = overlay.bridgeIndex();
        // Bridge side: the pair (peer made directly in the container), then the ownership alias; one datagram.
        // One queue each end: without XDP or veth GRO a veth hands packets to the per-CPU backlog and uses
        // no more, and the kernel's default (one per CPU) cost ~0.3 ms more per pair here.
        LinkSpec pair = LinkSpec.of(hostVeth, LinkKind.Veth.peer(ifname).in(ctr).mac(mac).mtu(net.mtu()))
                .mtu(net.mtu()).master(master).up(true).queues(1);
        BatchResult made = overlay.rtnl().batch(List.of(overlay.rtnl().links().addRequest(pair).echo(),
                overlay.rtnl().links().setAliasRequest(hostVeth, Host.OWNER_ALIAS)));
        if (made.failures().stream().noneMatch(f -> f.index() == 0)) {
            undo.push(() -> overlay.rtnl().links().deleteIfExists(hostVeth));
        }
        try {
            made.throwIfFailed();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EXFULL) {
                throw new IllegalStateException("network " + net.name() + " has no room for another endpoint on this "
                        + "host: its bridge holds at most 1023 ports (a kernel limit); use another network");
            }
            throw e;
        }
        // Container side, in order, one datagram: lo up, address, eth0 up, the subnet route the kernel made
        // for the address replaced by the same one with the network's advmss, default route via the gateway.
        // The kernel's copy of our end names its peer's index (eth0's, in the container): no query needed.
        int eth0 = LinkOps.echoed(made, hostVeth).flatMap(Link::peerIndex)
                .orElseGet(() -> inCtr.links().index(ifname));
        // eth0 makes no IPv6 address (the networks are IPv4): no link-local address, so no router
        // solicitations, MLD reports or DAD probes flooded to every VTEP when a container starts (Docker
        // turns IPv6 off on IPv4-only networks too); lo keeps ::1. Only for namespaces we made.
        inCtr.batch(containerSteps(inCtr, net, ifname, eth0, ip, own)).throwIfFailed();
        // The bridge may have learned this MAC on vxlan1 while the container lived on another host (a
        // move, or a restart elsewhere): until the container speaks, frames for it would go back out
        // there. A static entry on its own port places it now, and goes with the port.
        int port = LinkOps.echoed(made, hostVeth).map(Link::index).orElseGet(() -> overlay.rtnl().links().index(hostVeth));
        overlay.rtnl().fdb().replace(FdbEntry.staticOnPort(port, mac));
    }

    /**
     * Docker's way (a network driver's Join): the pair is made with the container's end left in the host
     * namespace, named {@code hostEnd}, carrying the MAC and MTU; Docker moves it into the sandbox and
     * gives it the address and routes itself. The endpoint is recorded like any other (its namespace is
     * the sandbox key), so the store, the agent and {@link #remove} know it.
     */
    public EndpointRecord addForDocker(String network, String name, InetAddress ip, MacAddress mac, String sandbox,
                                       String hostEnd) {
        NetworkRecord net = new Networks(host).get(network);
        NetworkConfig cfg = NetworkConfig.of(net);
        cfg.checkEndpointIp(ip);
        Check.linkName(hostEnd);
        // On a macvlan network the record has no host veth and names the link handed over (see remove).
        boolean macvlan = cfg.attach() == Attach.MACVLAN;
        EndpointRecord rec = new EndpointRecord(network, name, ip.getHostAddress(), mac.toString(), sandbox, false,
                macvlan ? "" : vethName(network, name), macvlan ? hostEnd : CONTAINER_IF);
        EndpointJournal journal = journal(network);
        Optional<EndpointJournal.Entry> held = journal.claim(rec);
        if (held.isPresent()) {
            if (held.get().record().equals(rec)) {
                return rec;
            }
            throw new IllegalArgumentException("endpoint " + name + " or IP " + ip.getHostAddress() + " of network "
                    + network + " is already attached here");
        }
        Overlay overlay = host.overlay(net);
        try {
            if (macvlan) {
                handOverMacvlan(overlay, cfg, mac, hostEnd);
            } else {
                handOverVeth(overlay, cfg, rec, mac, hostEnd);
            }
            journal.ready(name);
            return rec;
        } catch (RuntimeException e) {
            journal.release(name);
            throw e;
        }
    }

    /** The pair with {@code hostEnd} left in the host namespace, its other end a port of br0; undone on failure. */
    private void handOverVeth(Overlay overlay, NetworkConfig cfg, EndpointRecord rec, MacAddress mac, String hostEnd) {
        try {
            LinkSpec pair = LinkSpec.of(rec.hostVeth(), LinkKind.Veth.peer(hostEnd).in(host.namespace()).mac(mac)
                    .mtu(cfg.mtu())).mtu(cfg.mtu()).master(overlay.bridgeIndex()).up(true).queues(1);
            BatchResult made = overlay.rtnl().batch(List.of(overlay.rtnl().links().addRequest(pair).echo(),
                    overlay.rtnl().links().setAliasRequest(rec.hostVeth(), Host.OWNER_ALIAS)));
            made.throwIfFailed();
            int port = LinkOps.echoed(made, rec.hostVeth()).map(Link::index)
                    .orElseGet(() -> overlay.rtnl().links().index(rec.hostVeth()));
            overlay.rtnl().fdb().replace(FdbEntry.staticOnPort(port, mac));
        } catch (RuntimeException e) {
            overlay.rtnl().links().deleteIfExists(rec.hostVeth());
            throw e;
        }
    }

    /**
     * A child of vxlan1 made in the host namespace as {@code hostEnd} (MAC, MTU, overlaynet's alias); Docker
     * moves it into the sandbox, and on leave back out under that name, where {@link #remove} finds it.
     * Undone on failure.
     */
    private void handOverMacvlan(Overlay overlay, NetworkConfig cfg, MacAddress mac, String hostEnd) {
        overlay.rtnl().links().add(LinkSpec.of(hostEnd, new LinkKind.Macvlan(overlay.vxlanIndex()))
                .in(host.namespace()).mac(mac).mtu(cfg.mtu()));
        try {
            host.rtnl().links().setAlias(hostEnd, Host.OWNER_ALIAS);
        } catch (RuntimeException e) {
            host.rtnl().links().deleteIfExists(hostEnd);
            throw e;
        }
    }

    /** Deletes {@code ifname} there when it is a macvlan carrying overlaynet's alias (never anything else). */
    private static void deleteOurMacvlan(Rtnl rt, String ifname) {
        rt.links().find(ifname)
                .filter(l -> l.kind().orElse("").equals("macvlan"))
                .filter(l -> l.alias().orElse("").equals(Host.OWNER_ALIAS))
                .ifPresent(l -> rt.links().deleteIfExists(l.name()));
    }

    /**
     * The container's route to its subnet: the one the kernel makes for the address, with the network's
     * advmss ({@link NetworkConfig#tcpAdvmss}) unless {@code advmss} is false (the kernel's own route).
     */
    public static Route subnetRoute(NetworkConfig net, IpPrefix address, int eth0, boolean advmss) {
        Route r = Route.ofAddress(address, eth0);
        return advmss ? r.withAdvmss(net.tcpAdvmss()) : r;
    }

    /** The container's default route via the gateway, with the network's advmss unless {@code advmss} is false. */
    public static Route defaultRoute(NetworkConfig net, int eth0, boolean advmss) {
        Route r = Route.defaultVia(net.gateway(), eth0);
        return advmss ? r.withAdvmss(net.tcpAdvmss()) : r;
    }

    /** A stable, unique, 15-byte-safe name for the bridge side: "ve" + 8 hex of the endpoint's identity. */
    static String vethName(String network, String name) {
        return "ve" + String.format("%08x", (network + "/" + name).hashCode());
    }

    /**
     * Removes the endpoint, also one whose add never finished (what it made is removed); returns false
     * when it was not there.
     */
    public boolean remove(String network, String name) {
        checkName(name);
        EndpointJournal journal = journal(network);
        Optional<EndpointJournal.Entry> entry = journal.byName(name);
        if (entry.isEmpty()) {
            return false;
        }
        EndpointRecord e = entry.get().record();
        if (!e.hostVeth().isEmpty()) {
            new Networks(host).find(network).ifPresent(net -> {
                if (net.bridge().isPresent() || NetNamespaces.exists(net.overlayNamespace())) {
                    host.overlay(net).rtnl().links().deleteIfExists(e.hostVeth());
                }
            });
        }
        if (e.ownNamespace()) {
            NetNamespaces.deleteIfExists(e.namespace());
        } else if (e.hostVeth().isEmpty()) {
            // A macvlan child: in the namespace it was given, or (Docker's hand-over, named otherwise than
            // eth0) in the host namespace, not yet taken into a sandbox or given back by one under its name.
            inGivenNamespace(e, rt -> deleteOurMacvlan(rt, e.containerIf()));
            if (!e.containerIf().equals(CONTAINER_IF)) {
                deleteOurMacvlan(host.rtnl(), e.containerIf());
            }
        }
        journal.release(name);
        return true;
    }

    public List<EndpointRecord> list(Optional<String> network) {
        if (network.isPresent()) {
            return journal(network.get()).ready();
        }
        return new Networks(host).list().stream().flatMap(n -> journal(n.name()).ready().stream()).toList();
    }

    public Optional<EndpointRecord> find(String network, String name) {
        return journal(network).byName(name).filter(EndpointJournal.Entry::ready).map(EndpointJournal.Entry::record);
    }
}
