package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.agent.StoreRecords.NetworkSpec;
import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.WireGuard;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's view of the store: networks, live hosts and every endpoint, each record validated once
 * on arrival. A bad record is logged once (per key, until it becomes good) and left out; nothing
 * unvalidated reaches the plan or the miss handler. A remote endpoint is placed at its host's current
 * VTEP (the host record), so a host whose underlay address changed moves all its endpoints at once.
 */
final class StoreView {
    private final String me;
    private final Log log;
    private final Metrics metrics;
    private final Map<String, NetworkSpec> networks = new ConcurrentHashMap<>();
    private final Map<String, HostInfo> hosts = new ConcurrentHashMap<>();
    private final Map<String, InetAddress> hostVteps = new ConcurrentHashMap<>();
    /** endpoint key -> validated record, for every endpoint in the store (local ones included). */
    private final Map<String, Remote> endpoints = new ConcurrentHashMap<>();
    /** Reactive mode: hints to us, from hosts that asked us to program their endpoints of a network ahead. */
    private final Set<Keys.Hint> hinted = ConcurrentHashMap.newKeySet();
    private volatile boolean loaded;
    /** This host sends its VXLAN through WireGuard: only hosts that do too are peers. */
    private volatile boolean encrypt;
    /** The WireGuard key first accepted for each host (this run): another one needs a higher epoch. */
    private final Map<String, HostInfo> pinnedKeys = new ConcurrentHashMap<>();
    /** One copy of each network and host name and each VTEP, shared by the endpoints (see {@link #put}). */
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Map<InetAddress, InetAddress> vteps = new ConcurrentHashMap<>();
    /**
     * The MACs of the last endpoints that left, by key: an IP that comes back with another MAC in a later
     * burst must still be forgotten in this host's containers' caches.
     */
    private final Map<String, MacAddress> departed = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, MacAddress> eldest) {
                    return size() > 4096;
                }
            });

    StoreView(String me, Log log, Metrics metrics) {
        this.me = me;
        this.log = log;
        this.metrics = metrics;
    }

    /**
     * What a burst of events changed: endpoint keys that are new (they can go straight in), and
     * networks where something changed or left (they are diffed against the kernel).
     */
    static final class Touched {
        final Set<String> added = new HashSet<>();
        final Set<String> changedNetworks = new HashSet<>();
        boolean everything;
        /** A host came, went or changed its VTEP: the VTEP allow-list changes. */
        boolean members;

        boolean isEmpty() {
            return added.isEmpty() && changedNetworks.isEmpty() && !everything && !members;
        }
    }

    /** Whether the first full listing has arrived: before it the view knows nothing and plans nothing. */
    boolean loaded() {
        return loaded;
    }

    /** Applies one event and notes what it touched. */
    void apply(Store.Event e, Touched touched) {
        switch (e) {
            case Store.Event.Reset r -> {
                names.clear();
                vteps.clear();
                networks.clear();
                hosts.clear();
                hostVteps.clear();
                endpoints.clear();
                hinted.clear();
                r.snapshot().entries().forEach(en -> put(en.key(), en.value(), new Touched()));
                loaded = true;
                touched.everything = true;
            }
            case Store.Event.Put p -> put(p.entry().key(), p.entry().value(), touched);
            case Store.Event.Deleted d -> delete(d.key(), touched);
        }
    }

    private void delete(String k, Touched touched) {
        if (k.startsWith(Keys.HINTS)) {
            Keys.parseHint(k).ifPresent(hinted::remove);
        } else if (k.startsWith(Keys.NETWORKS)) {
            networks.remove(Keys.leaf(k));
            touched.changedNetworks.add(Keys.leaf(k));
        } else if (k.startsWith(Keys.HOSTS)) {
            hosts.remove(Keys.leaf(k));
            hostVteps.remove(Keys.leaf(k));
            touched.members = true;
            touched.changedNetworks.addAll(networksOf(Keys.leaf(k)));
        } else if (k.startsWith(Keys.ENDPOINTS)) {
            Remote gone = endpoints.remove(k);
            if (gone != null) {
                departed.put(k, gone.mac());
                touched.changedNetworks.add(Keys.endpointNetwork(k));
            }
        }
    }

    private Set<String> networksOf(String host) {
        Set<String> out = new HashSet<>();
        endpoints.values().forEach(r -> {
            if (r.host().equals(host)) {
                out.add(r.network());
            }
        });
        return out;
    }

    private void put(String key, String value, Touched touched) {
        try {
            if (key.startsWith(Keys.NETWORKS)) {
                networks.put(Keys.leaf(key), StoreRecords.network(value));
            } else if (key.startsWith(Keys.HOSTS)) {
                putHost(Keys.leaf(key), StoreRecords.host(value), touched);
            } else if (key.startsWith(Keys.HINTS)) {
                Keys.parseHint(key).filter(h -> h.to().equals(me) && hinted.add(h)).ifPresent(h ->
                        endpoints.forEach((ek, r) -> {
                            if (r.host().equals(h.from()) && r.network().equals(h.network())) {
                                touched.added.add(ek);
                            }
                        }));
            } else if (key.startsWith(Keys.ENDPOINTS)) {
                String network = Keys.endpointNetwork(key);
                Remote parsed = StoreRecords.remote(network, Keys.leaf(key), value, Optional.ofNullable(networks.get(network)));
                // A network's, a host's and a VTEP's every endpoint shares one copy of each (100,000 endpoints
                // of 1,000 hosts held a copy per endpoint: ~150 bytes each).
                Remote r = new Remote(shared(parsed.network()), parsed.ip(), parsed.mac(), shared(parsed.host()),
                        sharedVtep(parsed.vtep()));
                Remote before = endpoints.put(key, r);
                if (before == null) {
                    touched.added.add(key);
                } else if (!before.equals(r)) {
                    touched.changedNetworks.add(network);
                }
            }
            log.forget("bad:" + key);
        } catch (RuntimeException bad) { // another writer's record never stops the agent: it is skipped, once logged
            metrics.inc("bad_records_total");
            log.once("bad:" + key, "skipping store record " + key + ": " + bad.getMessage());
            if (endpoints.remove(key) != null) {
                touched.changedNetworks.add(Keys.endpointNetwork(key));
            }
        }
    }

    private String shared(String name) {
        return name == null ? null : names.computeIfAbsent(name, n -> n);
    }

    private InetAddress sharedVtep(InetAddress vtep) {
        return vteps.computeIfAbsent(vtep, v -> v);
    }

    /** Only hosts that encrypt too are this host's peers (cleartext VXLAN would leave otherwise). */
    void encrypting() {
        encrypt = true;
    }

    /** A host (re)registered: its endpoints become wanted, or move when its VTEP changed. */
    private void putHost(String name, HostInfo h, Touched touched) {
        if (!name.equals(me) && h.encrypted() != encrypt) {
            log.once("mixed:" + name, "host " + name + (encrypt ? " does not encrypt" : " encrypts its VXLAN")
                    + " and this one " + (encrypt ? "does" : "does not") + ": its endpoints are not programmed here "
                    + "(every agent of a cluster takes --encrypt, or none)");
            if (hosts.remove(name) != null) {
                hostVteps.remove(name);
                touched.members = true;
                touched.changedNetworks.addAll(networksOf(name));
            }
            return;
        }
        if (h.encrypted()) {
            HostInfo pin = pinnedKeys.get(name);
            int epoch = h.keyEpoch();
            if (pin != null && !pin.wgKey().equals(h.wgKey()) && epoch <= pin.keyEpoch()) {
                metrics.inc("refused_keys_total");
                log.once("rekey:" + name + ":" + h.wgKey(), "host " + name + "'s record carries another WireGuard key "
                        + "without a re-key (epoch " + epoch + "): refused, its old key stays; re-key a host explicitly "
                        + "('overlaynet agent --encrypt --rekey' on it)");
                return;
            }
            pinnedKeys.put(name, h);
        }
        InetAddress vtep = Ip.parseV4(h.vtep());
        HostInfo before = hosts.put(name, h);
        InetAddress old = hostVteps.put(name, vtep);
        touched.members |= !vtep.equals(old);
        if (before == null) {
            endpoints.forEach((ek, r) -> {
                if (r.host().equals(name)) {
                    touched.added.add(ek);
                }
            });
        } else if (!vtep.equals(old)) {
            touched.changedNetworks.addAll(networksOf(name));
        }
    }

    /** Whether another host asked us to program its endpoints of this network ahead (reactive mode). */
    boolean isHinted(Remote r) {
        return hinted.contains(new Keys.Hint(me, r.host(), r.network()));
    }

    Optional<NetworkSpec> network(String name) {
        return Optional.ofNullable(networks.get(name));
    }

    List<NetworkSpec> networks() {
        return List.copyOf(networks.values());
    }

    /** A remote endpoint worth programming, at its host's current VTEP; empty for ours and dead hosts'. */
    private Optional<Remote> wanted(Remote r) {
        InetAddress vtep = hostVteps.get(r.host());
        if (r.host().equals(me) || vtep == null) {
            return Optional.empty();
        }
        return Optional.of(vtep.equals(r.vtep()) ? r : new Remote(r.network(), r.ip(), r.mac(), r.host(), vtep));
    }

    /** The remote endpoints this host should have programmed for one network. */
    List<Remote> remotes(String network) {
        List<Remote> out = new ArrayList<>();
        for (Remote r : endpoints.values()) {
            if (r.network().equals(network)) {
                wanted(r).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Everything this host should hold, for the plan. */
    Desired desired(boolean reactive) {
        Map<String, Set<String>> ahead = new HashMap<>();
        hinted.forEach(h -> ahead.computeIfAbsent(h.network(), n -> new HashSet<>()).add(h.from()));
        Map<String, Desired.Network> out = new HashMap<>();
        for (String n : networks.keySet()) {
            out.put(n, new Desired.Network(remotes(n), reactive, ahead.getOrDefault(n, Set.of())));
        }
        return new Desired(out);
    }

    /** Whether the endpoint at this key is back with another MAC than the one that last left it. */
    boolean cameBackChanged(Remote r) {
        MacAddress before = departed.remove(Keys.endpoint(r.network(), r.ip().getHostAddress()));
        return before != null && !before.equals(r.mac());
    }

    /** The wanted remotes among newly added endpoint keys of one network. */
    List<Remote> added(String network, Set<String> keys) {
        List<Remote> add = new ArrayList<>();
        String prefix = Keys.endpoints(network);
        for (String k : keys) {
            Remote r = k.startsWith(prefix) ? endpoints.get(k) : null;
            if (r != null) {
                wanted(r).ifPresent(add::add);
            }
        }
        return add;
    }

    Optional<Remote> byIp(String network, InetAddress ip) {
        return Optional.ofNullable(endpoints.get(Keys.endpoint(network, ip.getHostAddress()))).flatMap(this::wanted);
    }

    Optional<Remote> byMac(String network, MacAddress mac) {
        return endpoints.values().stream().filter(r -> r.network().equals(network) && r.mac().equals(mac))
                .map(this::wanted).flatMap(Optional::stream).findFirst();
    }

    /** The addresses claimed in a network as far as the view knows (the store may be a moment ahead). */
    Set<String> claimedIps(String network) {
        String prefix = Keys.endpoints(network);
        Set<String> out = new HashSet<>();
        endpoints.keySet().forEach(k -> {
            if (k.startsWith(prefix)) {
                out.add(Keys.leaf(k));
            }
        });
        return out;
    }

    /** Any endpoint of the network with this MAC, ours included: who holds it. */
    Optional<Remote> holderOfMac(String network, MacAddress mac) {
        return endpoints.values().stream().filter(r -> r.network().equals(network) && r.mac().equals(mac)).findFirst();
    }

    /** The registered host whose VTEP this is (records written by the walkthroughs' scripts name no host). */
    Optional<String> hostByVtep(InetAddress vtep) {
        return hostVteps.entrySet().stream().filter(e -> vtep.equals(e.getValue())).map(Map.Entry::getKey).findFirst();
    }

    /** The live hosts but this one that encrypt: their WireGuard key, endpoint and tunnel address. */
    List<WireGuard.Peer> tunnelPeers() {
        List<WireGuard.Peer> out = new ArrayList<>();
        new TreeMap<>(hosts).forEach((name, h) -> {
            if (!name.equals(me) && h.encrypted()) {
                out.add(new WireGuard.Peer(h.wgKey(), Ip.parse(h.wgEndpoint()),
                        (Inet4Address) Ip.parseV4(h.vtep())));
            }
        });
        return out;
    }

    /** The VTEPs of the live hosts but this one: the agent's part of the VTEP allow-list. */
    Set<Inet4Address> memberVteps() {
        Set<Inet4Address> out = new HashSet<>();
        hostVteps.forEach((name, vtep) -> {
            if (!name.equals(me) && vtep instanceof Inet4Address v4) {
                out.add(v4);
            }
        });
        return out;
    }

    int endpointCount() {
        return endpoints.size();
    }

    Set<String> hostNames() {
        return Set.copyOf(hosts.keySet());
    }
}
