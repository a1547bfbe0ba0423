package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.EndpointInfo;
import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.agent.StoreRecords.NetworkSpec;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The cluster as its store holds it: networks, the endpoints every host registered, the live hosts.
 * What {@code network ls|inspect|rm --store}, {@code endpoint ls --store} and {@code host ls} show and
 * change. A change here reaches every host through its agent's watch.
 */
public final class Cluster {
    private final Store store;

    public Cluster(Store store) {
        this.store = store;
    }

    /** An endpoint as registered: its network and IP (the key), and the record. */
    public record Endpoint(String network, String ip, String name, String mac, String host, String vtep) {
    }

    /** A registered host and how long its lease has left ({@code -1}: unknown or gone). */
    public record HostView(String name, String vtep, String mac, String version, long leaseLeftSeconds) {
    }

    /** A network of the store and how many endpoints it has. */
    public record NetworkView(String name, int vni, String subnet, String gateway, int mtu, int port, boolean udpCsum,
                              int endpoints) {
    }

    public List<NetworkSpec> networks() {
        List<NetworkSpec> out = new ArrayList<>();
        for (Store.Entry e : store.list(Keys.NETWORKS).entries()) {
            try {
                out.add(StoreRecords.parse(e.value(), NetworkSpec.class));
            } catch (IllegalArgumentException bad) {
                // a record that does not parse is not a network anyone can use; agents log it
            }
        }
        out.sort(Comparator.comparing(NetworkSpec::name));
        return out;
    }

    public List<NetworkView> networkViews() {
        return networks().stream().map(n -> new NetworkView(n.name(), n.vni(), n.subnet(), n.gateway(), n.mtu(), n.port(),
                n.udpCsum(), endpoints(Optional.of(n.name())).size())).toList();
    }

    public Optional<NetworkSpec> network(String name) {
        return store.get(Keys.network(name)).map(e -> StoreRecords.parse(e.value(), NetworkSpec.class));
    }

    /** Every endpoint of one network (or all), ordered by network and address. */
    public List<Endpoint> endpoints(Optional<String> network) {
        List<Endpoint> out = new ArrayList<>();
        for (Store.Entry e : store.list(network.map(Keys::endpoints).orElse(Keys.ENDPOINTS)).entries()) {
            try {
                EndpointInfo i = StoreRecords.parse(e.value(), EndpointInfo.class);
                out.add(new Endpoint(Keys.endpointNetwork(e.key()), Keys.leaf(e.key()), i.name(), i.mac(), i.host(), i.vtep()));
            } catch (IllegalArgumentException bad) {
                // skipped, as the agents skip it
            }
        }
        out.sort(Comparator.comparing(Endpoint::network).thenComparing(x -> IpPrefix.parse(x.ip() + "/32").address()
                .getAddress(), java.util.Arrays::compareUnsigned));
        return out;
    }

    public List<HostView> hosts() {
        List<HostView> out = new ArrayList<>();
        for (Store.Entry e : store.list(Keys.HOSTS).entries()) {
            try {
                HostInfo h = StoreRecords.parse(e.value(), HostInfo.class);
                long left = h.lease() == null ? -1 : store.leaseLeft(Long.parseUnsignedLong(h.lease(), 16))
                        .map(Duration::toSeconds).orElse(-1L);
                out.add(new HostView(Keys.leaf(e.key()), h.vtep(), h.mac(), h.version() == null ? "" : h.version(), left));
            } catch (IllegalArgumentException bad) {
                // skipped, as the agents skip it
            }
        }
        out.sort(Comparator.comparing(HostView::name));
        return out;
    }

    /**
     * Defines a network; idempotent for the same definition. Refused when the name holds another
     * definition, the VNI is taken, or (unless allowed) the subnet overlaps another network's.
     *
     * @return whether it was new
     */
    public boolean define(NetworkSpec spec, boolean overlapAllowed) {
        Optional<NetworkSpec> have = network(spec.name());
        if (have.isPresent()) {
            if (!have.get().equals(spec)) {
                throw new IllegalArgumentException("network " + spec.name() + " exists in " + store.describe() + " as "
                        + have.get() + ": remove it first ('overlaynet network rm " + spec.name() + " --store')");
            }
            return false;
        }
        for (NetworkSpec other : networks()) {
            if (!overlapAllowed && !other.name().equals(spec.name())) {
                NetworkConfig.checkApart(spec.name(), IpPrefix.parse(spec.subnet()), other.name(), IpPrefix.parse(other.subnet()));
            }
            if (other.vni() == spec.vni()) {
                throw new IllegalArgumentException("VNI " + spec.vni() + " is already used by network " + other.name()
                        + " in " + store.describe() + ": pick another --vni");
            }
        }
        return store.create(Keys.network(spec.name()), StoreRecords.json(spec), Optional.empty());
    }

    /**
     * Removes a network from the store. With endpoints left it is refused unless {@code force}; then
     * their records go first, and every host's agent removes its entries, endpoints and overlay
     * namespace when it sees the network leave.
     *
     * @return whether the network was there
     */
    public boolean removeNetwork(String name, boolean force) {
        if (network(name).isEmpty()) {
            return false;
        }
        List<Endpoint> left = endpoints(Optional.of(name));
        if (!left.isEmpty() && !force) {
            TreeSet<String> hosts = new TreeSet<>();
            left.forEach(e -> hosts.add(e.host()));
            throw new IllegalArgumentException("network " + name + " still has " + left.size() + " endpoint(s) on "
                    + String.join(", ", hosts) + ": remove them, or add --force to remove them on every host");
        }
        for (Endpoint e : left) {
            store.delete(Keys.endpoint(name, e.ip()));
        }
        return store.delete(Keys.network(name));
    }
}
