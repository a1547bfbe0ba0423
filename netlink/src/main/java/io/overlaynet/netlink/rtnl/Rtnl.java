package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.socket.NetlinkConnection;
import io.overlaynet.netlink.socket.NetlinkSocket;
import io.overlaynet.netlink.socket.Request;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A handle on rtnetlink in one network namespace: a socket opened inside that namespace, and the
 * operations named after the iproute2 commands they replace ({@link #links()} for {@code ip link},
 * {@link #fdb()} for {@code bridge fdb}, ...). The handle does not own the {@link NetNs} it was
 * opened with; close both.
 */
public final class Rtnl implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Optional<NetNs> namespace;
    private final NetlinkConnection connection;
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    private final LinkOps links = new LinkOps(this);
    private final AddressOps addresses = new AddressOps(this);
    private final RouteOps routes = new RouteOps(this);
    private final NeighbourOps neighbours = new NeighbourOps(this);
    private final FdbOps fdb = new FdbOps(this);

    private Rtnl(Optional<NetNs> namespace, NetlinkSocket socket, Duration timeout) {
        this.namespace = namespace;
        this.connection = new NetlinkConnection(socket, timeout);
    }

    /** A handle on the calling thread's namespace. */
    public static Rtnl open() {
        return new Rtnl(Optional.empty(), NetlinkSocket.open(Netlink.NETLINK_ROUTE), DEFAULT_TIMEOUT);
    }

    /** A handle on {@code ns}: the socket is opened on a thread inside it and stays bound there. */
    public static Rtnl open(NetNs ns) {
        return open(ns, DEFAULT_TIMEOUT);
    }

    public static Rtnl open(NetNs ns, Duration timeout) {
        NetlinkSocket socket = ns.call(() -> NetlinkSocket.open(Netlink.NETLINK_ROUTE));
        return new Rtnl(Optional.of(ns), socket, timeout);
    }

    /**
     * {@code ip netns add NAME} and a handle on it, the socket opened during creation (one thread hop).
     * The caller owns both the returned handle and its namespace ({@link #namespace()}).
     */
    public static Rtnl createNamespace(String name) {
        return createNamespace(name, List.of());
    }

    /** As {@link #createNamespace(String)}, applying sysctls inside the new namespace in the same hop. */
    public static Rtnl createNamespace(String name, List<Sysctl.Setting> sysctls) {
        NetNamespaces.Made<NetlinkSocket> made = NetNamespaces.createHere(name, () -> {
            Sysctl.applyHere(sysctls);
            return NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        });
        return new Rtnl(Optional.of(made.namespace()), made.value(), DEFAULT_TIMEOUT);
    }

    /** {@code ip link}. */
    public LinkOps links() {
        return links;
    }

    /** {@code ip address}. */
    public AddressOps addresses() {
        return addresses;
    }

    /** {@code ip route}. */
    public RouteOps routes() {
        return routes;
    }

    /** {@code ip neigh}. */
    public NeighbourOps neighbours() {
        return neighbours;
    }

    /** {@code bridge fdb}. */
    public FdbOps fdb() {
        return fdb;
    }

    /** {@code sysctl -w net....} inside this handle's namespace. */
    public Sysctl sysctl() {
        return new Sysctl(namespace);
    }

    /** {@code ip monitor}: a new socket subscribed to the given groups in this namespace. */
    public EventSubscription subscribe(EventSubscription.Group... groups) {
        return EventSubscription.open(namespace, groups);
    }

    /**
     * Sends many requests pipelined (several per datagram, ACKs matched by sequence number). Build
     * requests with the ops' {@code ...Request} methods.
     */
    public BatchResult batch(List<Request> requests) {
        return connection.batch(requests);
    }

    public Optional<NetNs> namespace() {
        return namespace;
    }

    NetlinkConnection connection() {
        return connection;
    }

    /** " in netns NAME", or "" for the caller's own namespace: appended to error objects. */
    String where() {
        return namespace.map(ns -> " in " + ns).orElse("");
    }

    void rememberName(int index, String name) {
        names.put(index, name);
    }

    /** The device's name if this handle has seen it, else {@code if<index>}. */
    String devName(int index) {
        return names.getOrDefault(index, "if" + index);
    }

    @Override
    public void close() {
        connection.close();
    }
}
