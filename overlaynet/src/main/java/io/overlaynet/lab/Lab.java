package io.overlaynet.lab;

import io.overlaynet.agent.AgentClient;
import io.overlaynet.agent.AgentIndex;
import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.BridgeNetfilter;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Peers;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.lab.LabRecord.Container;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NamespaceException;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.net.InetAddress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The simulated multi-host lab: an underlay namespace holding a bridge, N host namespaces joined to it
 * ({@code eth1} = 192.168.104.2, .3, ... as in the walkthroughs), and on every host the network {@code demo}
 * (VNI 42, 12.12.12.0/24, MTU 1450) with the walkthroughs' containers, wired according to the mode.
 */
public final class Lab {
    public static final String NETWORK = "demo";
    public static final int VNI = 42;
    public static final IpPrefix SUBNET = IpPrefix.parse("12.12.12.0/24");
    public static final IpPrefix UNDERLAY = IpPrefix.parse("192.168.104.0/24");
    public static final int MTU = 1450;
    public static final int MAX_HOSTS = 24;
    private static final String UNDERLAY_BRIDGE = "ubr0";
    /** The lab's stand-in for the internet, on the underlay: what the networks' egress reaches. */
    public static final InetAddress OUTSIDE = Ip.parse("192.168.104.254");
    public static final String HOST_IF = "eth1";

    private final String prefix;
    private final Path stateRoot;
    private final PrintStream out;
    /** The name of any of this lab's host namespaces ({@code <prefix>h<N>}), as a regular expression. */
    private final String hostName;
    private volatile boolean cancelled;
    /** Build the network without the VTEP allow-list (to show what it stops). */
    private boolean open;
    /** The lab's etcd over TLS with client certificates and authentication. */
    private boolean tls;
    /** The agents carry VXLAN between hosts inside WireGuard. */
    private boolean encrypt;
    /** How the hosts attach containers to the network. */
    private Attach attach = Attach.DEFAULT;

    public Lab(String prefix, Path stateRoot, PrintStream out) {
        Host.checkPrefix(prefix);
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("the lab needs a non-empty --prefix");
        }
        this.prefix = prefix;
        this.hostName = Pattern.quote(prefix) + "h\\d+";
        this.stateRoot = stateRoot;
        this.out = out;
    }

    /**
     * The same lab, its etcd serving clients over TLS only, with client certificates and etcd's own
     * authentication ({@link LabTls}); the agents get a store URL that carries the files.
     */
    public Lab withTls() {
        this.tls = true;
        return this;
    }

    /** The same lab, its agents encrypting VXLAN between hosts with WireGuard ({@code agent --encrypt}). */
    public Lab withEncryption() {
        this.encrypt = true;
        return this;
    }

    /** The same lab, its hosts attaching containers as {@code how} ({@code network create --attach}). */
    public Lab attachedBy(Attach how) {
        this.attach = how;
        return this;
    }

    /** The same lab, built without the VTEP allow-list: any sender on the underlay can inject frames. */
    public Lab withoutAllowList() {
        this.open = true;
        return this;
    }

    private LocalState labs() {
        return new LocalState(stateRoot.resolve("labs"));
    }

    public Optional<LabRecord> record() {
        return labs().read(prefix + ".json", LabRecord.class);
    }

    /** Every lab recorded under this state directory, by prefix. */
    public static List<LabRecord> all(Path stateRoot) {
        return new LocalState(stateRoot.resolve("labs")).list("", LabRecord.class);
    }

    /** A lab's host, with the lab it belongs to. */
    public record Member(LabRecord lab, LabHost host) {
    }

    /**
     * The lab host (of any lab recorded under this state directory) that matches: commands run as a lab
     * host find its prefix and its lab by it.
     */
    public static Optional<Member> findHost(Path stateRoot, java.util.function.Predicate<LabHost> which) {
        for (LabRecord r : all(stateRoot)) {
            for (LabHost h : r.hosts()) {
                if (which.test(h)) {
                    return Optional.of(new Member(r, h));
                }
            }
        }
        return Optional.empty();
    }

    /** Refuses a host count out of range, a lab already up, and namespaces of ours left from before. */
    private void checkCanStart(int hosts) {
        if (hosts < 1 || hosts > MAX_HOSTS) {
            throw new IllegalArgumentException("--hosts " + hosts + " is out of range: use 1.." + MAX_HOSTS);
        }
        if (record().isPresent()) {
            throw new IllegalStateException("lab " + prefix + " is already up: 'overlaynet lab down --prefix " + prefix
                    + "' first, or use another --prefix");
        }
        for (String n : plannedNamespaces(hosts)) {
            if (NetNamespaces.exists(n)) {
                throw new IllegalStateException("namespace " + n + " already exists but no lab " + prefix
                        + " is recorded: remove it ('ip netns del " + n + "') or use another --prefix");
            }
        }
    }

    /** The walkthroughs' containers: node1 pinkns .2; node2 pinkns .3, skyns .4; node3 pinkns .10, skyns .11; then .20/.21, ... */
    static List<String[]> containersOf(int host) {
        return switch (host) {
            case 1 -> List.<String[]>of(new String[]{"pinkns", "12.12.12.2"});
            case 2 -> List.of(new String[]{"pinkns", "12.12.12.3"}, new String[]{"skyns", "12.12.12.4"});
            default -> {
                int base = 10 * (host - 2);
                yield List.of(new String[]{"pinkns", "12.12.12." + base}, new String[]{"skyns", "12.12.12." + (base + 1)});
            }
        };
    }

    /**
     * Asks a {@link #up} or {@link #upWithAgents} in progress on another thread (e.g. a shutdown hook on
     * Ctrl-C) to stop at its next step and remove what it made.
     */
    public void cancel() {
        cancelled = true;
    }

    /** Whether {@link #cancel} was called. */
    public boolean cancelled() {
        return cancelled;
    }

    private void checkNotCancelled() {
        if (cancelled) {
            throw new IllegalStateException("lab " + prefix + " up was interrupted; what it had made is removed");
        }
    }

    public LabRecord up(int hosts, Mode mode) {
        if (tls || encrypt) {
            throw new IllegalArgumentException((tls ? "--tls is for the lab's etcd" : "--encrypt is for the agents")
                    + ": add --mode proactive|reactive" + (tls ? " --store etcd" : ""));
        }
        checkCanStart(hosts);
        String ul = prefix + "underlay";
        List<LabHost> made = new ArrayList<>();
        LabRecord building = new LabRecord(prefix, mode.toString(), ul, made, NETWORK, "", "", List.of(), List.of(), false,
                open, false, attach.toString());
        labs().write(prefix + ".json", building);
        try {
            underlay(ul, hosts);
            for (int i = 1; i <= hosts; i++) {
                checkNotCancelled();
                made.add(host(i, mode));
                labs().write(prefix + ".json", building);
            }
            checkNotCancelled();
            wire(building, mode);
            LabRecord rec = building.completed();
            labs().write(prefix + ".json", rec);
            return rec;
        } catch (RuntimeException e) {
            try {
                down();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * The lab with a store and one agent per host ({@code proactive} or {@code reactive}); the containers
     * are added through the agents.
     */
    public LabRecord upWithAgents(int hosts, boolean reactive, String storeKind) {
        return upWithAgents(hosts, reactive, storeKind, 1);
    }

    /** As above, with an etcd cluster of {@code etcdMembers} members when the store is etcd. */
    public LabRecord upWithAgents(int hosts, boolean reactive, String storeKind, int etcdMembers) {
        if (tls && !storeKind.equals("etcd")) {
            throw new IllegalArgumentException("--tls is for the lab's etcd: add --store etcd");
        }
        checkCanStart(hosts);
        LabAgents agents = new LabAgents(stateRoot, prefix);
        String ul = prefix + "underlay";
        List<LabHost> made = new ArrayList<>();
        List<Long> agentPids = new ArrayList<>();
        LabAgents.Started store = null;
        LabRecord rec = null;
        try {
            underlay(ul, hosts);
            try (NetNs u = NetNs.named(ul); Rtnl rt = Rtnl.open(u)) {
                rt.addresses().add(UNDERLAY_BRIDGE, new IpPrefix(UNDERLAY.addressAt(1), UNDERLAY.length()));
                outside(rt);
            }
            store = agents.store(storeKind, ul, etcdPlaces(storeKind, etcdMembers), tls);
            rec = new LabRecord(prefix, reactive ? "reactive" : "proactive", ul, made, NETWORK, store.storeUrl(),
                    store.storeDir(), agentPids, store.etcdPids(), false, open, encrypt, attach.toString());
            // Recorded early so 'lab down' can clean up after a failure half-way.
            labs().write(prefix + ".json", rec);
            for (int i = 1; i <= hosts; i++) {
                checkNotCancelled();
                made.add(bareHost(i));
            }
            for (LabHost h : made) {
                checkNotCancelled();
                agentPids.add(agents.startAgent(h, store.storeUrl(), reactive, open, encrypt, attach));
            }
            labs().write(prefix + ".json", rec);
            List<LabHost> withContainers = new ArrayList<>();
            for (int i = 0; i < made.size(); i++) {
                checkNotCancelled();
                LabHost h = made.get(i);
                var client = agents.await(h, agentPids.get(i));
                withContainers.add(new LabHost(h.name(), h.namespace(), h.nsPrefix(), h.address(),
                        agents.addContainers(client, containersOf(i + 1))));
            }
            made.clear();
            made.addAll(withContainers);
            rec = rec.completed();
            labs().write(prefix + ".json", rec);
            return rec;
        } catch (RuntimeException | IOException e) {
            if (rec != null) {
                down();
            } else {
                if (store != null) {
                    LabAgents.stop(store.etcdPids());
                }
                teardown(new LabRecord(prefix, "", ul, made, NETWORK, "", "", List.of(), List.of(), false));
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The lab's host and container namespaces that no longer exist. */
    public static List<String> missingNamespaces(LabRecord r) {
        return Stream.concat(r.hosts().stream().map(LabHost::namespace), r.containers().stream().map(Container::namespace))
                .filter(n -> !NetNamespaces.exists(n)).toList();
    }

    /** In a lab with agents, the hosts whose agent does not answer on its socket. */
    public List<String> silentAgents(LabRecord r) {
        if (!r.agents()) {
            return List.of();
        }
        LabAgents agents = new LabAgents(stateRoot, prefix);
        return r.hosts().stream().filter(h -> AgentClient.find(agents.socket(h)).isEmpty()).map(LabHost::name).toList();
    }

    /** Starts (again) the agent of one host, e.g. after it was killed; records its pid. Returns the pid. */
    public long startAgent(LabHost h) {
        LabRecord rec = record().orElseThrow(() -> new IllegalStateException("no lab " + prefix));
        LabAgents agents = new LabAgents(stateRoot, prefix);
        try {
            long pid = agents.startAgent(h, rec.store(), rec.mode().equals("reactive"), rec.open(), rec.encrypt(),
                    Attach.parse(rec.attach()));
            List<Long> pids = new ArrayList<>(rec.agentPids());
            int at = rec.hosts().indexOf(h);
            if (at >= 0 && at < pids.size()) {
                pids.set(at, pid); // the host's agent is this process now
            } else {
                pids.add(pid);
            }
            labs().write(prefix + ".json", rec.withAgentPids(pids));
            agents.await(h, pid);
            return pid;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the agent of " + h.name() + ": " + e.getMessage(), e);
        }
    }

    /** The agent API client of one host. */
    public AgentClient agent(LabHost h) {
        return AgentClient.find(new LabAgents(stateRoot, prefix).socket(h))
                .orElseThrow(() -> new IllegalStateException("no agent answers for " + h.name()));
    }

    /** The Docker network driver a host's agent serves (docker network create -d NAME). */
    public static String dockerDriver(LabHost h) {
        return LabAgents.dockerDriver(h);
    }

    /** The API socket of a host's agent. */
    public Path agentSocket(LabHost h) {
        return new LabAgents(stateRoot, prefix).socket(h);
    }

    /** Where the agent of a host writes its log. */
    public Path agentLog(LabHost h) {
        return stateRoot.resolve("labs").resolve(prefix).resolve(h.name() + ".log");
    }

    /**
     * Where the lab's etcd members run: one in the underlay namespace on 192.168.104.1; several each in
     * a namespace of its own on the underlay ({@code <prefix>etcd<i>}, 192.168.104.200+i), so one can be
     * cut off from the others.
     */
    private List<EtcdProcess.Place> etcdPlaces(String storeKind, int members) {
        List<EtcdProcess.Place> places = new ArrayList<>();
        if (!storeKind.equals("etcd") || members == 1) {
            for (int i = 0; i < members; i++) {
                places.add(new EtcdProcess.Place(Optional.of(NetNamespaces.RUN_DIR.resolve(prefix + "underlay")),
                        UNDERLAY.addressAt(1).getHostAddress()));
            }
            return places;
        }
        try (NetNs u = NetNs.named(prefix + "underlay"); Rtnl underlay = Rtnl.open(u)) {
            for (int i = 0; i < members; i++) {
                String name = etcdNamespace(i);
                InetAddress ip = UNDERLAY.addressAt(200 + i);
                try (NetNs m = NetNamespaces.create(name); Rtnl rt = Rtnl.open(m)) {
                    underlay.links().add(LinkSpec.of("etcd" + i, LinkKind.Veth.peer("eth0").in(m))
                            .master(underlay.links().index(UNDERLAY_BRIDGE)).up(true));
                    rt.links().setUp("lo");
                    rt.addresses().add("eth0", new IpPrefix(ip, UNDERLAY.length()));
                    rt.links().setUp("eth0");
                }
                places.add(new EtcdProcess.Place(Optional.of(NetNamespaces.RUN_DIR.resolve(name)), ip.getHostAddress()));
            }
        }
        return places;
    }

    /** The namespace of etcd member {@code i} in a lab with several. */
    public String etcdNamespace(int i) {
        return prefix + "etcd" + i;
    }

    /** The outside's namespace name. */
    public String outsideNamespace() {
        return prefix + "outside";
    }

    /** {@code <prefix>outside}: a namespace on the underlay bridge at {@link #OUTSIDE}, for egress to reach. */
    private void outside(Rtnl underlay) {
        try (NetNs o = NetNamespaces.create(outsideNamespace()); Rtnl rt = Rtnl.open(o)) {
            underlay.links().add(LinkSpec.of("out0", LinkKind.Veth.peer("eth0").in(o))
                    .master(underlay.links().index(UNDERLAY_BRIDGE)).up(true));
            rt.links().setUp("lo");
            rt.addresses().add("eth0", new IpPrefix(OUTSIDE, UNDERLAY.length()));
            rt.links().setUp("eth0");
        }
    }

    private LabHost bareHost(int i) {
        String ns = hostNamespace(i);
        String address = UNDERLAY.addressAt(i + 1).getHostAddress();
        try (NetNs h = NetNs.named(ns); Rtnl rt = Rtnl.open(h)) {
            rt.links().setUp("lo");
            rt.addresses().add(HOST_IF, new IpPrefix(Ip.parse(address), UNDERLAY.length()));
            rt.links().setUp(HOST_IF);
        }
        return new LabHost("node" + i, ns, ns + "-", address, List.of());
    }

    private List<String> plannedNamespaces(int hosts) {
        List<String> names = new ArrayList<>(List.of(prefix + "underlay", outsideNamespace()));
        for (int i = 1; i <= hosts; i++) {
            names.add(hostNamespace(i));
        }
        return names;
    }

    private String hostNamespace(int i) {
        return prefix + "h" + i;
    }

    private void underlay(String ul, int hosts) {
        try (NetNs u = NetNamespaces.create(ul); Rtnl rt = Rtnl.open(u)) {
            rt.links().setUp("lo");
            rt.links().add(LinkSpec.of(UNDERLAY_BRIDGE, LinkKind.Bridge.DEFAULT).up(true));
            // A simulated switch, not a firewall: no iptables hooks on bridged frames.
            BridgeNetfilter.disable(rt);
            int br = rt.links().index(UNDERLAY_BRIDGE);
            for (int i = 1; i <= hosts; i++) {
                try (NetNs h = NetNamespaces.create(hostNamespace(i))) {
                    rt.links().add(LinkSpec.of("h" + i, LinkKind.Veth.peer(HOST_IF).in(h)).master(br).up(true));
                }
            }
        }
    }

    private LabHost host(int i, Mode mode) {
        LabHost bare = bareHost(i);
        String ns = bare.namespace();
        String address = bare.address();
        String nsPrefix = bare.nsPrefix();
        List<Container> containers = new ArrayList<>();
        try (Host host = Host.open(nsPrefix, stateRoot, Optional.of(ns))) {
            // A multicast network's members are not known in advance: the allow-list cannot cover it.
            Networks nets = open || mode instanceof Mode.Multicast ? new Networks(host).open() : new Networks(host);
            nets.create(new NetworkConfig(NETWORK, VNI, SUBNET, SUBNET.addressAt(1), MTU,
                    NetworkConfig.DEFAULT_PORT, mode, Optional.empty(), false).attachedBy(attach), Optional.of(HOST_IF));
            for (String[] c : containersOf(i)) {
                EndpointRecord e = new Endpoints(host).add(new Endpoints.Request(NETWORK, c[0], Ip.parse(c[1]),
                        Optional.empty(), Optional.empty())).record();
                containers.add(new Container(c[0], e.namespace(), e.ip(), e.mac()));
            }
        }
        return new LabHost("node" + i, ns, nsPrefix, address, containers);
    }

    /** Static: every remote container as a peer. Learning and flood: every remote host on the flood list. */
    private void wire(LabRecord rec, Mode mode) {
        for (LabHost h : rec.hosts()) {
            try (Host host = Host.open(h.nsPrefix(), stateRoot, Optional.of(h.namespace()))) {
                Peers peers = new Peers(host);
                for (LabHost other : rec.hosts()) {
                    if (other == h) {
                        continue;
                    }
                    if (mode instanceof Mode.Static) {
                        for (Container c : other.containers()) {
                            peers.addEndpoint(NETWORK, Ip.parse(c.ip()), Optional.empty(), Ip.parse(other.address()));
                        }
                    } else if (mode.floodsToVteps()) {
                        peers.addVtep(NETWORK, Ip.parse(other.address()));
                    }
                }
            }
        }
    }

    /** Removes exactly what {@link #up} recorded; idempotent. Returns false when no lab was recorded. */
    public boolean down() {
        Optional<LabRecord> rec = record();
        if (rec.isEmpty()) {
            return false;
        }
        LabAgents.stop(rec.get().agentPids());
        AgentIndex.prune();
        teardown(rec.get());
        LabAgents.stop(rec.get().etcdPids());
        LabAgents.removeStore(rec.get());
        new LocalState(stateRoot.resolve("labs")).deleteTree(prefix);
        labs().delete(prefix + ".json");
        return true;
    }

    /** Host namespaces of this lab: those recorded, and any made before a failure cut the record short. */
    private SortedSet<String> hostNamespaces(LabRecord rec) {
        SortedSet<String> names = new TreeSet<>();
        rec.hosts().forEach(h -> names.add(h.namespace()));
        NetNamespaces.list().stream().filter(n -> n.matches(hostName)).forEach(names::add);
        return names;
    }

    private void teardown(LabRecord rec) {
        for (String ns : hostNamespaces(rec)) {
            if (NetNamespaces.exists(ns)) {
                try (Host host = Host.open(ns + "-", stateRoot, Optional.of(ns))) {
                    new Networks(host).removeAll();
                    io.overlaynet.dataplane.WireGuard.stop(host);
                    host.state().deleteAll();
                } catch (NamespaceException stale) {
                    // a name whose namespace was never mounted (lab up killed right there): only the name goes
                }
                NetNamespaces.deleteIfExists(ns);
            }
        }
        // A step cut short can leave a namespace under a lab host's prefix that no host record lists
        // (a container made but not yet recorded), or a host's records without its namespace: the names
        // are the lab's by construction.
        NetNamespaces.list().stream().filter(n -> n.matches(hostName + "-.+")).forEach(NetNamespaces::deleteIfExists);
        LocalState hosts = new LocalState(Host.simulatedHosts(stateRoot));
        hosts.names("").stream().filter(d -> d.matches(hostName + "-")).forEach(hosts::deleteTree);
        NetNamespaces.deleteIfExists(outsideNamespace());
        NetNamespaces.list().stream().filter(n -> n.matches(Pattern.quote(prefix) + "etcd\\d+"))
                .forEach(NetNamespaces::deleteIfExists);
        NetNamespaces.deleteIfExists(rec.underlayNamespace());
    }
}
