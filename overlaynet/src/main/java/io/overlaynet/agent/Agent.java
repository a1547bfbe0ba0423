package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.cni.CniCall;
import io.overlaynet.cni.CniHost;
import io.overlaynet.cni.CniPlugin;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.docker.DockerHost;
import io.overlaynet.docker.DockerPlugin;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.state.LocalState;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Ports;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Underlay;
import io.overlaynet.dataplane.WireGuard;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The per-host agent. Design history: the walkthroughs' daemon answered kernel misses from files;
 * flannel programs every node ahead of time from etcd. This agent does both (reactive or proactive)
 * over the same store. It only wires its parts together and runs their lifecycle:
 *
 * <ul>
 *   <li>{@link Registration}: the host under a lease, its endpoints published under it;</li>
 *   <li>{@link Reconciler}: the store watch feeds a {@link StoreView}; a pure {@link Plan} from desired
 *       and observed state, carried out by a {@link KernelApplier};</li>
 *   <li>{@link LocalEndpoints} behind the {@link LocalApi}: this host's containers;</li>
 *   <li>{@link MissHandler} and {@link Hints}: reactive mode.</li>
 * </ul>
 * One lock ({@link #dataplane}) serialises every kernel write the agent makes.
 */
public final class Agent implements AutoCloseable {
    private final AgentConfig cfg;
    private final Log log;
    private final Metrics metrics = new Metrics();
    private final Store store;
    private final Host host;
    private final Underlay underlay;
    /** With --encrypt: the WireGuard device every VXLAN datagram to another host goes through. */
    private final WireGuard tunnel;
    private final ReentrantLock dataplane = new ReentrantLock();
    private final StoreView view;
    private final Registration registration;
    private final LocalEndpoints endpoints;
    private final Reconciler reconciler;
    private final MissHandler misses;
    private final CniPlugin cni;
    private DockerPluginServer docker;
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private Store.Watch watch;
    private Thread worker;
    private LocalApi api;
    private long hostInode;

    public Agent(AgentConfig cfg) {
        this.cfg = cfg;
        this.log = new Log("agent", cfg.jsonLog());
        this.store = Stores.open(cfg.storeUrl());
        try {
            this.host = Host.open(cfg.prefix(), cfg.stateDir(), cfg.hostNs());
            Underlay physical = Underlay.detect(host.rtnl(), cfg.underlay());
            // Encrypting, the networks' underlay is the tunnel: their VXLAN leaves from its address only.
            this.tunnel = cfg.encrypt() ? WireGuard.open(host, physical, IpPrefix.parse(cfg.tunnelSubnet()), cfg.rekey()) : null;
            this.underlay = tunnel == null ? physical : tunnel.underlay();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        String vtep = underlay.address().getHostAddress();
        this.view = new StoreView(cfg.hostName(), log, metrics);
        this.registration = new Registration(store, host.state(), () -> new Endpoints(host).list(Optional.empty()), cfg,
                vtep, log, metrics);
        if (tunnel != null) {
            view.encrypting();
            registration.encrypting(tunnel.keys(), tunnel.endpoint().getHostAddress());
        }
        this.endpoints = new LocalEndpoints(host, underlay, store, view, registration, dataplane, mode(), cfg.hostName(),
                cfg.allowList(), cfg.attach(), log);
        Hints hints = new Hints(cfg.hostName(), store, registration, log);
        KernelApplier applier = new KernelApplier(n -> host.overlay(new Networks(host).get(n)), endpoints::removeNetwork,
                endpoints::forget, metrics);
        this.reconciler = new Reconciler(host, view, applier, dataplane, cfg.reactive(), metrics, log, hints::onEvent,
                cfg.allowList(), Math.max(cfg.leaseTtl().toMillis(), cfg.reconcileEvery().toMillis()));
        reconciler.encryptWith(tunnel);
        this.misses = new MissHandler(new Answers(applier, hints), store, log, metrics);
        endpoints.connect(new LocalEndpoints.NetworkListener() {
            @Override
            public void made(NetworkRecord n) {
                if (cfg.reactive()) {
                    misses.listen(n);
                }
            }

            @Override
            public void gone(String network) {
                misses.stop(network);
            }
        }, reconciler);
        this.cni = new CniPlugin(new CniSide());
    }

    /** The mode of the networks this agent builds. */
    public Mode mode() {
        return cfg.reactive() ? new Mode.Reactive() : new Mode.Proactive();
    }

    public void start() {
        log.info("host " + cfg.hostName() + " vtep " + underlay.address().getHostAddress() + " (" + underlay.device()
                + "), " + mode() + ", store " + store.describe());
        registration.registerWithRetry();
        watch = store.watch(Keys.ROOT, 0, reconciler::offer);
        worker = Thread.ofPlatform().name("agent-worker").start(() -> reconciler.loop(cfg.reconcileEvery().toMillis()));
        metrics.onScrape(() -> {
            StringBuilder sb = new StringBuilder();
            io.overlaynet.dataplane.AllowList.drops(host).forEach((n, c) -> sb.append("overlaynet_vtep_dropped_total{network=\"")
                    .append(n).append("\"} ").append(c).append('\n'));
            return sb.toString();
        });
        metrics.serve(cfg.metricsAddress(), cfg.metricsPort());
        hostInode = AgentIndex.inode(cfg.hostNs());
        completeSpooledDels(); // before the API answers: a caller that waits for it finds them done
        api = new LocalApi(new Service(), log, cfg.apiSocket(), cfg.apiGroup());
        api.start();
        if (cfg.dockerPlugin().isPresent()) {
            docker = new DockerPluginServer(new DockerPlugin(new DockerSide()), log, cfg.dockerPlugin().get());
            docker.start();
        }
        if (cfg.reactive()) {
            dataplane.lock();
            try {
                new Networks(host).list().stream().filter(n -> Mode.parse(n.mode()).runByAgent()).forEach(misses::listen);
            } finally {
                dataplane.unlock();
            }
        }
        Thread.ofPlatform().daemon(true).name("agent-liveness").start(registration::liveness);
        AgentIndex.publish(hostInode, new AgentIndex.Note(cfg.hostName(), cfg.apiSocket().toString(),
                ProcessHandle.current().pid(), cfg.prefix(), cfg.stateDir().toString(), store.describe(),
                cfg.hostNs().orElse("")));
        cfg.hostNs().ifPresent(ns -> Thread.ofPlatform().daemon(true).name("agent-host-watch").start(() -> watchHost(ns)));
        log.info("ready: API " + cfg.apiSocket() + (cfg.metricsPort() > 0 ? ", metrics " + cfg.metricsAddress() + ":" + cfg.metricsPort() : ""));
    }

    /**
     * An agent serves its host: when the named host namespace is gone (a simulated host torn down),
     * nothing is left to serve, so the agent ends (its caller then deregisters it).
     */
    private void watchHost(String ns) {
        while (!ended.isDone()) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long now;
            try {
                now = AgentIndex.inode(Optional.of(ns));
            } catch (IllegalStateException gone) {
                now = -1;
            }
            if (now != hostInode) {
                log.info("host namespace " + ns + " is gone: deregistering and stopping");
                ended.complete("host namespace " + ns + " is gone");
            }
        }
    }

    /** Completes, with the reason, when the agent decides to stop on its own (its host namespace went). */
    public CompletableFuture<String> ended() {
        return ended;
    }

    /** The miss handler's view of the agent: lookups in the store view, writes under the lock. */
    private final class Answers implements MissHandler.Answers {
        private final Applier applier;
        private final Hints hints;

        Answers(Applier applier, Hints hints) {
            this.applier = applier;
            this.hints = hints;
        }

        @Override
        public Optional<Remote> byIp(String network, InetAddress ip) {
            return view.byIp(network, ip);
        }

        @Override
        public Optional<Remote> byMac(String network, MacAddress mac) {
            return view.byMac(network, mac);
        }

        @Override
        public Optional<String> hostByVtep(InetAddress vtep) {
            return view.hostByVtep(vtep);
        }

        @Override
        public void install(List<Step> steps) {
            dataplane.lock();
            try {
                applier.apply(new Plan(steps));
            } finally {
                dataplane.unlock();
            }
        }

        @Override
        public void answered(String remoteHost, String network) {
            hints.ask(remoteHost, network);
        }
    }

    /** The CNI plugin's view of the agent: networks of the store, this host's endpoints, readiness. */
    private final class CniSide implements CniHost {
        @Override
        public Optional<NetworkConfig> network(String name) {
            return endpoints.findSpec(name).map(n -> n.config(mode()));
        }

        @Override
        public EndpointRecord add(String network, String name, Optional<InetAddress> ip, Optional<String> mac, Path netns,
                                  String ifname) {
            return endpoints.add(network, name, ip, mac.map(MacAddress::parse), Optional.of(netns), ifname);
        }

        @Override
        public boolean remove(String network, String name) {
            return endpoints.remove(network, name);
        }

        @Override
        public java.util.Set<String> claimed(String network) {
            return view.claimedIps(network);
        }

        @Override
        public boolean ready() {
            try {
                return view.loaded() && store.get(Keys.host(cfg.hostName())).isPresent();
            } catch (RuntimeException down) {
                return false;
            }
        }

        @Override
        public boolean registered(String network, String ip) {
            return store.get(Keys.endpoint(network, ip)).map(e -> {
                try {
                    return cfg.hostName().equals(StoreRecords.parse(e.value(), StoreRecords.EndpointInfo.class).host());
                } catch (IllegalArgumentException bad) {
                    return false;
                }
            }).orElse(false);
        }

        @Override
        public Optional<EndpointRecord> find(String network, String name) {
            return new Endpoints(host).find(network, name);
        }

        @Override
        public List<EndpointRecord> endpoints(String network) {
            return new Endpoints(host).list(Optional.of(network));
        }
    }

    /** The Docker driver's view of the agent. */
    private final class DockerSide implements DockerHost {
        private final Cluster cluster = new Cluster(store);

        @Override
        public Optional<NetworkConfig> networkByVni(int vni) {
            return first(n -> n.vni() == vni);
        }

        @Override
        public Optional<NetworkConfig> networkBySubnet(IpPrefix subnet) {
            return first(n -> IpPrefix.parse(n.subnet()).equals(subnet.network()));
        }

        /** From the view (no store round trip on Docker's per-container calls), else from the store. */
        private Optional<NetworkConfig> first(java.util.function.Predicate<StoreRecords.NetworkSpec> which) {
            return view.networks().stream().filter(which).findFirst()
                    .or(() -> cluster.networks().stream().filter(which).findFirst()).map(n -> n.config(mode()));
        }

        @Override
        public Optional<NetworkConfig> network(String name) {
            return endpoints.findSpec(name).map(n -> n.config(mode()));
        }

        @Override
        public void define(String name, int vni, IpPrefix subnet, InetAddress gateway) {
            cluster.define(new StoreRecords.NetworkSpec(name, vni, subnet.toString(), gateway.getHostAddress(),
                    underlay.mtu() - NetworkConfig.VXLAN_OVERHEAD, NetworkConfig.DEFAULT_PORT, false, true), false);
        }

        @Override
        public InetAddress claim(String network, Optional<InetAddress> ip) {
            return endpoints.claimForDocker(network, ip);
        }

        @Override
        public void release(String network, InetAddress ip) {
            endpoints.releaseForDocker(network, ip);
        }

        @Override
        public EndpointRecord join(String network, String name, InetAddress ip, MacAddress mac, String sandbox,
                                   String hostEnd) {
            return endpoints.joinForDocker(network, name, ip, mac, sandbox, hostEnd);
        }

        @Override
        public boolean leave(String network, String name) {
            return endpoints.remove(network, name);
        }

        @Override
        public void publish(String key, List<Ports.PortMap> ports) {
            dataplane.lock();
            try {
                new Ports(host).publish(key, ports);
            } finally {
                dataplane.unlock();
            }
        }

        @Override
        public void unpublish(String key) {
            dataplane.lock();
            try {
                new Ports(host).unpublish(key);
            } finally {
                dataplane.unlock();
            }
        }

        @Override
        public LocalState state() {
            return host.state();
        }
    }

    /**
     * DELs the CNI executable kept while no agent answered ({@code /run/overlaynet/cni-spool/<netns
     * inode>/}): done now, so no address or entry of a container that is gone stays behind.
     */
    private void completeSpooledDels() {
        Path dir = AgentIndex.SPOOL.resolve(Long.toString(hostInode));
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".call")).sorted().toList()) {
                String text = Files.readString(f);
                String[] lines = text.split("\n", 6);
                if (lines.length == 6) {
                    CniPlugin.Answer a = cni.handle(CniCall.parse("DEL", lines[0], lines[1], lines[2], lines[3],
                            lines[5].getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    log.info("completed a CNI DEL kept while the agent was down (container " + lines[0] + ")"
                            + (a.ok() ? "" : ": " + a.stdout().strip()));
                }
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (java.io.IOException | RuntimeException e) {
            log.info("could not complete the CNI DELs kept in " + dir + ": " + e.getMessage());
        }
    }

    /** The local API's view of the agent. */
    private final class Service implements LocalApi.Service {
        @Override
        public EndpointRecord addEndpoint(String network, String name, Optional<InetAddress> ip,
                                          Optional<MacAddress> mac, Optional<Path> netns) {
            return Agent.this.addEndpoint(network, name, ip, mac, netns);
        }

        @Override
        public boolean removeEndpoint(String network, String name) {
            return Agent.this.removeEndpoint(network, name);
        }

        @Override
        public Map<String, Object> status() {
            return Agent.this.status();
        }

        @Override
        public Map<String, Object> counters() {
            return Agent.this.counters();
        }

        @Override
        public CniPlugin.Answer cni(CniCall call) {
            return cni.handle(call);
        }
    }

    /** Adds a container of this host to a network of the store (see {@link LocalEndpoints}). */
    public EndpointRecord addEndpoint(String network, String name, Optional<InetAddress> ip, Optional<MacAddress> mac,
                                      Optional<Path> netns) {
        return endpoints.add(network, name, ip, mac, netns);
    }

    /** Removes a container of this host; false when it was not there. */
    public boolean removeEndpoint(String network, String name) {
        return endpoints.remove(network, name);
    }

    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", cfg.hostName());
        m.put("vtep", underlay.address().getHostAddress());
        m.put("mac", registration.mac());
        m.put("mode", mode().toString());
        m.put("store", store.describe());
        m.put("lease", registration.leaseId());
        m.put("prefix", cfg.prefix());
        m.put("pid", ProcessHandle.current().pid());
        m.put("socket", cfg.apiSocket().toString());
        m.put("networks", new Networks(host).list().stream().map(NetworkRecord::name).toList());
        m.put("hostsInStore", view.hostNames());
        m.put("allowList", cfg.allowList());
        if (tunnel != null) {
            m.put("wireguard", Map.of("device", tunnel.device(), "address", tunnel.address().toString(),
                    "publicKey", tunnel.keys().publicKey(), "epoch", tunnel.keys().epoch(), "implementation", "wireguard-go"));
        }
        m.put("vtepDrops", io.overlaynet.dataplane.AllowList.drops(host));
        m.putAll(counters());
        return m;
    }

    /** What the agent has counted, read from memory only: what a poller asks for (see {@link AgentClient#counters}). */
    public Map<String, Object> counters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("endpointsInStore", view.endpointCount());
        m.put("entriesProgrammed", metrics.counter("entries_programmed_total"));
        m.put("missesAnswered", metrics.counter("misses_answered_total_l3") + metrics.counter("misses_answered_total_l2"));
        return m;
    }

    /** Diffs every network against the store now (tests; the loop does it on its own timer). */
    void reconcileAll() {
        reconciler.reconcileAll();
    }

    /** Stops threads; with {@code deregister} the lease is revoked (host and endpoint records leave the store). */
    public void stop(boolean deregister) {
        ended.complete("stopped");
        if (docker != null) {
            docker.close();
        }
        if (api != null) {
            api.close();
            AgentIndex.withdraw(hostInode);
        }
        if (watch != null) {
            watch.close();
        }
        if (worker != null) {
            worker.interrupt();
        }
        misses.close();
        registration.stop(deregister);
        metrics.close();
    }

    @Override
    public void close() {
        stop(true);
        host.close();
        store.close();
    }
}
