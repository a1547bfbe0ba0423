package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.agent.StoreRecords.NetworkSpec;
import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's view of the store: networks, live hosts and every endpoint, each record validated once
 * on arrival. A bad record is logged once (per key, until it becomes good) and left out; nothing
 * unvalidated reaches the programmer or the miss handler.
 */
final class StoreView {
    private final String me;
    private final Log log;
    private final Metrics metrics;
    private final Map<String, NetworkSpec> networks = new ConcurrentHashMap<>();
    private final Map<String, HostInfo> hosts = new ConcurrentHashMap<>();
    /** endpoint key -> validated record, for every endpoint in the store (local ones included). */
    private final Map<String, Remote> endpoints = new ConcurrentHashMap<>();
    /** Reactive mode: hints to us, from hosts that asked us to program their endpoints of a network ahead. */
    private final Set<Keys.Hint> hinted = ConcurrentHashMap.newKeySet();

    StoreView(String me, Log log, Metrics metrics) {
        this.me = me;
        this.log = log;
        this.metrics = metrics;
    }

    /** Applies one event; collects the endpoint keys it touched; returns true when a full reconcile is due. */
    boolean apply(Store.Event e, Set<String> touched) {
        switch (e) {
            case Store.Event.Reset r -> {
                networks.clear();
                hosts.clear();
                endpoints.clear();
                hinted.clear();
                r.snapshot().entries().forEach(en -> put(en.key(), en.value(), touched));
                return true;
            }
            case Store.Event.Put p -> put(p.entry().key(), p.entry().value(), touched);
            case Store.Event.Deleted d -> delete(d.key(), touched);
        }
        return false;
    }

    private void delete(String k, Set<String> touched) {
        if (k.startsWith(Keys.HINTS)) {
            Keys.parseHint(k).ifPresent(hinted::remove);
        } else if (k.startsWith(Keys.NETWORKS)) {
            networks.remove(Keys.leaf(k));
        } else if (k.startsWith(Keys.HOSTS)) {
            hosts.remove(Keys.leaf(k));
            endpoints.forEach((ek, r) -> {
                if (r.host().equals(Keys.leaf(k))) {
                    touched.add(ek);
                }
            });
        } else if (k.startsWith(Keys.ENDPOINTS) && endpoints.remove(k) != null) {
            touched.add(k);
        }
    }

    private void put(String key, String value, Set<String> touched) {
        try {
            if (key.startsWith(Keys.NETWORKS)) {
                networks.put(Keys.leaf(key), StoreRecords.parse(value, NetworkSpec.class));
            } else if (key.startsWith(Keys.HOSTS)) {
                HostInfo h = StoreRecords.parse(value, HostInfo.class);
                Ip.parseV4(h.vtep());
                hosts.put(Keys.leaf(key), h);
            } else if (key.startsWith(Keys.HINTS)) {
                Keys.parseHint(key).filter(h -> h.to().equals(me) && hinted.add(h)).ifPresent(h ->
                        endpoints.forEach((ek, r) -> {
                            if (r.host().equals(h.from()) && r.network().equals(h.network())) {
                                touched.add(ek);
                            }
                        }));
            } else if (key.startsWith(Keys.ENDPOINTS)) {
                String network = Keys.endpointNetwork(key);
                Remote r = StoreRecords.remote(network, Keys.leaf(key), value, Optional.ofNullable(networks.get(network)));
                endpoints.put(key, r);
                touched.add(key);
            }
            log.forget("bad:" + key);
        } catch (IllegalArgumentException | IllegalStateException bad) {
            metrics.inc("bad_records_total");
            log.once("bad:" + key, "skipping store record " + key + ": " + bad.getMessage());
            if (endpoints.remove(key) != null) {
                touched.add(key);
            }
        }
    }

    /** Whether another host asked us to program its endpoints of this network ahead (reactive mode). */
    boolean isHinted(Remote r) {
        return hinted.contains(new Keys.Hint(me, r.host(), r.network()));
    }

    Optional<NetworkSpec> network(String name) {
        return Optional.ofNullable(networks.get(name));
    }

    /** A remote endpoint worth programming: of another host that is alive. */
    private boolean wanted(Remote r) {
        return !r.host().equals(me) && hosts.containsKey(r.host());
    }

    /** The remote endpoints this host should have programmed for one network. */
    List<Remote> desired(String network) {
        List<Remote> out = new ArrayList<>();
        for (Remote r : endpoints.values()) {
            if (r.network().equals(network) && wanted(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The touched endpoints of one network that are now wanted, or empty if any of them went away. */
    Optional<List<Remote>> onlyAdditions(String network, Set<String> touched) {
        List<Remote> add = new ArrayList<>();
        for (String k : touched) {
            if (!k.startsWith(Keys.endpoints(network))) {
                continue;
            }
            Remote r = endpoints.get(k);
            if (r == null) {
                return Optional.empty();
            }
            if (wanted(r)) {
                add.add(r);
            }
        }
        return Optional.of(add);
    }

    Optional<Remote> byIp(String network, InetAddress ip) {
        return Optional.ofNullable(endpoints.get(Keys.endpoint(network, ip.getHostAddress())))
                .filter(r -> !r.host().equals(me));
    }

    Optional<Remote> byMac(String network, MacAddress mac) {
        return endpoints.values().stream().filter(r -> r.network().equals(network) && r.mac().equals(mac)
                && !r.host().equals(me)).findFirst();
    }

    /** The registered host whose VTEP this is (records written by the seeds' scripts name no host). */
    Optional<String> hostByVtep(InetAddress vtep) {
        String v = vtep.getHostAddress();
        return hosts.entrySet().stream().filter(e -> v.equals(e.getValue().vtep())).map(Map.Entry::getKey).findFirst();
    }

    int endpointCount() {
        return endpoints.size();
    }

    Set<String> hostNames() {
        return Set.copyOf(hosts.keySet());
    }
}
