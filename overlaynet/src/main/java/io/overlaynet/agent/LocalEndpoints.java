package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.EndpointInfo;
import io.overlaynet.agent.StoreRecords.NetworkSpec;
import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Underlay;
import io.overlaynet.ipam.Ipam;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NamespaceException;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * This host's endpoints, as the local API adds and removes them: the network's overlay namespace is
 * made for its first endpoint (and diffed against the store at once), the address is claimed in the
 * store under the host's lease (IPAM), then the container is plugged in; a failure gives the address
 * back and removes a network made for it. The network goes again with its last endpoint.
 */
final class LocalEndpoints {
    /** Called when a network is made here, and when it goes (the miss handler listens to it). */
    interface NetworkListener {
        void made(NetworkRecord n);

        void gone(String network);
    }

    private final Host host;
    private final Underlay underlay;
    private final Store store;
    private final StoreView view;
    private final Registration registration;
    private final ReentrantLock dataplane;
    private final Mode mode;
    private final Attach attach;
    private final String hostName;
    private final Log log;
    private final boolean allowList;
    private NetworkListener listener;
    private Reconciler reconciler;

    LocalEndpoints(Host host, Underlay underlay, Store store, StoreView view, Registration registration,
                   ReentrantLock dataplane, Mode mode, String hostName, boolean allowList, Attach attach, Log log) {
        this.host = host;
        this.allowList = allowList;
        this.underlay = underlay;
        this.store = store;
        this.view = view;
        this.registration = registration;
        this.dataplane = dataplane;
        this.mode = mode;
        this.attach = attach;
        this.hostName = hostName;
        this.log = log;
    }

    /** Wires the parts made after this one: who is told of networks, and who diffs a new one. */
    void connect(NetworkListener l, Reconciler r) {
        this.listener = l;
        this.reconciler = r;
    }

    EndpointRecord add(String network, String name, Optional<InetAddress> ip, Optional<MacAddress> mac,
                       Optional<Path> netns) {
        return add(network, name, ip, mac, netns, Endpoints.CONTAINER_IF);
    }

    /** As above, the container's interface named {@code ifname} (a CNI runtime's CNI_IFNAME). */
    EndpointRecord add(String network, String name, Optional<InetAddress> ip, Optional<MacAddress> mac,
                       Optional<Path> netns, String ifname) {
        NetworkSpec spec = spec(network);
        Endpoints.checkName(name);
        mac.ifPresent(m -> checkMac(network, m));
        dataplane.lock();
        try {
            Endpoints eps = new Endpoints(host);
            Optional<EndpointRecord> existing = eps.find(network, name);
            if (existing.isPresent()) {
                return existing.get();
            }
            NetworkConfig config = spec.config(mode);
            Ipam ipam = new Ipam(store);
            InetAddress gateway = Ip.parse(spec.gateway());
            Function<InetAddress, String> record = a -> StoreRecords.json(new EndpointInfo(name,
                    mac.orElse(Endpoints.macFor(a)).toString(), hostName, underlay.address().getHostAddress()));
            return inNetwork(spec, () -> claimAndPlug(eps, ipam, network, name, config, gateway, ip, mac, netns, ifname,
                    record));
        } finally {
            dataplane.unlock();
        }
    }

    /** A network of the store: from the view, else (a definition the watch has not brought yet) the store. */
    Optional<NetworkSpec> findSpec(String network) {
        return view.network(network).or(() -> store.get(Keys.network(network))
                .map(e -> StoreRecords.parse(e.value(), NetworkSpec.class)));
    }

    private NetworkSpec spec(String network) {
        return findSpec(network).orElseThrow(() -> new IllegalArgumentException("network " + network
                + " is not in the store " + store.describe() + ": create it with 'overlaynet network create " + network
                + " --store ...'"));
    }

    /**
     * Runs {@code work} (under the caller's data plane lock) with the network built here; a network
     * built for it goes again when the work fails.
     */
    private <T> T inNetwork(NetworkSpec spec, java.util.function.Supplier<T> work) {
        Networks overlapping = new Networks(host).allowingOverlap();
        Networks nets = allowList ? overlapping : overlapping.open();
        boolean made = ensureNetwork(nets, spec);
        try {
            return work.get();
        } catch (RuntimeException e) {
            if (made) {
                listener.gone(spec.name());
                nets.remove(spec.name());
            }
            throw e;
        }
    }

    /**
     * Builds the network here for its first endpoint (the store decided whether its subnet may overlap
     * another's), diffs it against the store at once, and tells the listener; returns whether it was new.
     */
    private boolean ensureNetwork(Networks nets, NetworkSpec spec) {
        boolean made = nets.find(spec.name()).isEmpty();
        NetworkConfig c = spec.config(mode).attachedBy(attach);
        int room = underlay.mtu() - NetworkConfig.VXLAN_OVERHEAD;
        if (!underlay.bind() && c.mtu() > room) {
            // Through the tunnel, WireGuard's overhead comes on top of VXLAN's: the network gets what fits.
            c = new NetworkConfig(c.name(), c.vni(), c.subnet(), c.gateway(), room, c.port(), c.mode(), c.bridge(),
                    c.udpCsum(), c.egress(), c.attach());
        }
        NetworkRecord rec = nets.create(c, underlay).record();
        if (made) {
            reconciler.reconcile(rec);
            listener.made(rec);
        }
        return made;
    }

    /**
     * Docker's IPAM request: an address claimed cluster-wide ahead of its endpoint, its record carrying
     * the MAC derived from the address and a provisional name until the endpoint joins.
     */
    InetAddress claimForDocker(String network, Optional<InetAddress> ip) {
        NetworkSpec spec = spec(network);
        Ipam ipam = new Ipam(store);
        return registration.withLease(l -> ipam.allocate(network, spec.config(mode).subnet(), Ip.parse(spec.gateway()), ip,
                a -> StoreRecords.json(new EndpointInfo("docker-" + a.getHostAddress().replace('.', '-'),
                        Endpoints.macFor(a).toString(), hostName, underlay.address().getHostAddress())), Optional.of(l)));
    }

    /** The record that holds an address in the store, if any and if it parses. */
    private Optional<EndpointInfo> claim(String network, InetAddress ip) {
        return store.get(Keys.endpoint(network, ip.getHostAddress())).flatMap(e -> {
            try {
                return Optional.of(StoreRecords.parse(e.value(), EndpointInfo.class));
            } catch (IllegalArgumentException bad) {
                return Optional.empty();
            }
        });
    }

    /** Gives back an address this host claimed, if its record is still this host's. */
    void releaseForDocker(String network, InetAddress ip) {
        if (claim(network, ip).filter(i -> hostName.equals(i.host())).isPresent()) {
            store.delete(Keys.endpoint(network, ip.getHostAddress()));
        }
    }

    /** Docker's Join: the endpoint plugged with its container end left for Docker; its record completed. */
    EndpointRecord joinForDocker(String network, String name, InetAddress ip, MacAddress mac, String sandbox,
                                 String hostEnd) {
        NetworkSpec spec = spec(network);
        dataplane.lock();
        try {
            return inNetwork(spec, () -> {
                EndpointRecord r = new Endpoints(host).addForDocker(network, name, ip, mac, sandbox, hostEnd);
                registration.withLease(l -> {
                    store.put(Keys.endpoint(network, ip.getHostAddress()), StoreRecords.json(new EndpointInfo(name,
                            mac.toString(), hostName, underlay.address().getHostAddress())), l);
                    return null;
                });
                return r;
            });
        } finally {
            dataplane.unlock();
        }
    }

    /**
     * The address claim (a durable store write: an etcd transaction or a few files, 2-4 ms here) and the
     * plugging (veth, address, routes: 2-4 ms) overlap: the address is picked from the view (or is the one
     * asked for), claimed on another thread while the container is plugged with it, and the container is
     * unplugged again if the claim loses a race, which is then run the slow way (list, claim, plug). Only
     * this host could see the address on its bridge meanwhile, for a few milliseconds.
     */
    private EndpointRecord claimAndPlug(Endpoints eps, Ipam ipam, String network, String name, NetworkConfig config,
                                        InetAddress gateway, Optional<InetAddress> ip, Optional<MacAddress> mac,
                                        Optional<Path> netns, String ifname, Function<InetAddress, String> record) {
        Set<String> claimed = view.claimedIps(network);
        Optional<InetAddress> candidate = ip.isPresent() ? ip.filter(x -> !claimed.contains(x.getHostAddress()))
                : Ipam.firstFree(config.subnet(), gateway, claimed);
        if (candidate.isPresent()) {
            InetAddress a = candidate.get();
            ip.ifPresent(x -> Ipam.checkUsable(config.subnet(), gateway, x));
            CompletableFuture<Boolean> claim = CompletableFuture.supplyAsync(() -> registration.withLease(l ->
                    ipam.claim(network, a, record.apply(a), Optional.of(l))), CLAIMS);
            EndpointRecord plugged;
            try {
                plugged = eps.add(new Endpoints.Request(network, name, a, mac, netns, ifname)).record();
            } catch (RuntimeException e) {
                if (claim.exceptionally(x -> false).join()) {
                    ipam.release(network, a);
                }
                throw e;
            }
            boolean won;
            try {
                won = claim.join() || claimedBefore(network, a, name);
            } catch (java.util.concurrent.CompletionException e) {
                eps.remove(network, name);
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            if (won) {
                return plugged;
            }
            eps.remove(network, name);
            if (ip.isPresent()) {
                throw ipam.taken(network, a);
            }
        }
        InetAddress addr = ip.filter(x -> claimedBefore(network, x, name)).orElseGet(() -> registration.withLease(l ->
                ipam.allocate(network, config.subnet(), gateway, ip, record, Optional.of(l))));
        try {
            return eps.add(new Endpoints.Request(network, name, addr, mac, netns, ifname)).record();
        } catch (RuntimeException e) {
            ipam.release(network, addr);
            throw e;
        }
    }

    /**
     * Whether the address is already claimed for this very endpoint of this host: a claim whose answer
     * was lost (the store timed out, then applied it) and is now retried must not refuse itself.
     */
    private boolean claimedBefore(String network, InetAddress ip, String name) {
        return claim(network, ip).filter(i -> hostName.equals(i.host()) && name.equals(i.name())).isPresent();
    }

    /** Where address claims run while the container is plugged: one thread is enough (the data plane lock is held). */
    private static final java.util.concurrent.Executor CLAIMS = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "agent-ipam-claim");
        t.setDaemon(true);
        return t;
    });

    /**
     * A MAC given by hand must be unicast (a multicast one would be refused by the kernel with a bare
     * EADDRNOTAVAIL) and not held by another endpoint of the network anywhere (two would share frames).
     */
    private void checkMac(String network, MacAddress mac) {
        if (mac.isMulticast() || mac.isZero()) {
            throw new IllegalArgumentException("MAC " + mac + " is not a unicast address (its first byte must be even, "
                    + "e.g. 02:...): leave out --mac to derive one from the IP");
        }
        // The view trails the store by a watch event: a holder it names may have just been removed (an
        // endpoint moving here from another host), so the store has the last word on it.
        Optional<Remote> holder = view.holderOfMac(network, mac).filter(h -> stillHolds(network, h, mac));
        if (holder.isEmpty()) {
            holder = store.list(Keys.endpoints(network)).entries().stream().flatMap(e -> {
                try {
                    return java.util.stream.Stream.of(StoreRecords.remote(network, Keys.leaf(e.key()), e.value(),
                            Optional.empty()));
                } catch (IllegalArgumentException bad) {
                    return java.util.stream.Stream.empty();
                }
            }).filter(r -> r.mac().equals(mac)).findFirst();
        }
        holder.ifPresent(h -> {
            throw new IllegalArgumentException("MAC " + mac + " is already used in network " + network + " by "
                    + h.ip().getHostAddress() + " on " + h.host() + ", vtep " + h.vtep().getHostAddress()
                    + ": give another --mac, or leave it out to derive one from the IP");
        });
    }

    private boolean stillHolds(String network, Remote holder, MacAddress mac) {
        Optional<Store.Entry> e = store.get(Keys.endpoint(network, holder.ip().getHostAddress()));
        if (e.isEmpty()) {
            return false;
        }
        try {
            return StoreRecords.remote(network, Keys.leaf(e.get().key()), e.get().value(), Optional.empty()).mac().equals(mac);
        } catch (IllegalArgumentException bad) {
            return false;
        }
    }

    boolean remove(String network, String name) {
        dataplane.lock();
        try {
            Endpoints eps = new Endpoints(host);
            Optional<EndpointRecord> e = eps.find(network, name);
            if (e.isEmpty()) {
                return false;
            }
            eps.remove(network, name);
            try {
                store.delete(Keys.endpoint(network, e.get().ip()));
            } catch (RuntimeException down) {
                log.once("store-down", "store " + store.describe() + " unreachable: " + down.getMessage());
            }
            if (eps.list(Optional.of(network)).isEmpty()) {
                listener.gone(network);
                new Networks(host).remove(network);
                log.info("last endpoint of " + network + " left: removed its overlay namespace");
            }
            return true;
        } finally {
            dataplane.unlock();
        }
    }

    /** Deletes an IP's neighbour entry in every container of the network on this host (its MAC changed). */
    void forget(Step.ForgetInContainers f) {
        for (EndpointRecord e : new Endpoints(host).list(Optional.of(f.network()))) {
            try (NetNs ns = e.namespace().startsWith("/") ? NetNs.open(Path.of(e.namespace())) : NetNs.named(e.namespace());
                 Rtnl rt = Rtnl.open(ns)) {
                rt.neighbours().delete(rt.links().index(e.containerIf()), f.ip());
            } catch (NetlinkException.NotFound | NamespaceException nothing) {
                // no entry there (or the container is gone): nothing to forget
            } catch (RuntimeException other) {
                log.once("forget:" + e.name(), "could not refresh " + f.ip().getHostAddress() + " in " + e.name() + ": "
                        + other.getMessage());
            }
        }
    }

    /** The network left the store: its endpoints here and its overlay namespace go (under the caller's lock). */
    void removeNetwork(String network) {
        listener.gone(network);
        List<EndpointRecord> here = new Endpoints(host).list(Optional.of(network));
        if (new Networks(host).remove(network)) {
            log.info("network " + network + " is gone from the store: removed it and its " + here.size()
                    + " endpoint(s) here");
        }
        for (EndpointRecord e : here) {
            try {
                store.delete(Keys.endpoint(network, e.ip()));
            } catch (RuntimeException down) {
                log.once("store-down", "store " + store.describe() + " unreachable: " + down.getMessage());
            }
        }
    }
}
