package io.overlaynet.dataplane;

import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.nft.Nft;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.state.LocalState;
import io.overlaynet.state.Trees;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One host's context: the namespace that is "the host" (the caller's own, or a lab host namespace),
 * the prefix that keeps its namespace names apart from other simulated hosts on the same machine, and
 * its state directory.
 */
public final class Host implements AutoCloseable {
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,40}");
    public static final Path DEFAULT_STATE_ROOT = Path.of("/var/lib/overlaynet");
    /** Alias on every link overlaynet creates outside its own namespaces: the ownership mark. */
    public static final String OWNER_ALIAS = "overlaynet";

    private final String prefix;
    private final NetNs namespace;
    private final Rtnl rtnl;
    private final LocalState state;
    private final Map<String, Overlay> overlays = new HashMap<>();
    /** nf_tables in the host namespace (egress, the VTEP allow-list); opened on first use. */
    private Nft nft;

    private Host(String prefix, NetNs namespace, LocalState state) {
        this.prefix = prefix;
        this.namespace = namespace;
        this.state = state;
        this.rtnl = Rtnl.open(namespace);
    }

    /**
     * @param prefix    namespace-name prefix of this (simulated) host, may be empty
     * @param stateRoot state root; a prefixed host keeps its records in a subdirectory named after it
     * @param hostNs    the host namespace by name; empty means the caller's own namespace
     */
    public static Host open(String prefix, Path stateRoot, Optional<String> hostNs) {
        checkPrefix(prefix);
        NetNs ns = hostNs.map(NetNs::named).orElseGet(NetNs::current);
        try {
            return new Host(prefix, ns, records(prefix, stateRoot));
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** The records of the host with namespace prefix {@code prefix}, without opening anything in the kernel. */
    public static LocalState records(String prefix, Path stateRoot) {
        checkPrefix(prefix);
        return new LocalState(prefix.isEmpty() ? stateRoot : simulatedHosts(stateRoot).resolve(prefix));
    }

    /**
     * After its networks are gone: drops the empty record directories, and a simulated host's own
     * directory when nothing is left in it. Files are kept (an agent's lease record, say).
     */
    public void pruneState() {
        for (String dir : List.of("networks", "endpoints", "peers")) {
            Trees.pruneEmpty(state.root().resolve(dir));
        }
        if (!prefix.isEmpty()) {
            Trees.pruneEmpty(state.root());
        }
    }

    /** Where simulated hosts (a non-empty prefix) keep their records: one directory each, named after the prefix. */
    public static Path simulatedHosts(Path stateRoot) {
        return stateRoot.resolve("hosts");
    }

    public static void checkPrefix(String prefix) {
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid namespace prefix '" + prefix
                    + "': use letters, digits, '.', '_', '-' (at most 41)");
        }
    }

    public String prefix() {
        return prefix;
    }

    public NetNs namespace() {
        return namespace;
    }

    public Rtnl rtnl() {
        return rtnl;
    }

    /** An nf_tables handle on the host namespace, kept until the host is closed. */
    public synchronized Nft nft() {
        if (nft == null) {
            nft = Nft.open(namespace);
        }
        return nft;
    }

    public LocalState state() {
        return state;
    }

    /** The overlay namespace of a network on this host, e.g. {@code lab-h1-ovl-demo}. */
    public String overlayNamespace(String network) {
        return overlayNamespace(prefix, network);
    }

    /** The overlay namespace of {@code network} on the host whose namespace names start with {@code prefix}. */
    public static String overlayNamespace(String prefix, String network) {
        return prefix + "ovl-" + network;
    }

    /** A container namespace name on this host, e.g. {@code lab-h1-pinkns}. */
    public String containerNamespace(String name) {
        return prefix + name;
    }

    /** This host's open view of a network's data plane, kept until the host is closed. */
    public synchronized Overlay overlay(Records.NetworkRecord network) {
        Overlay o = overlays.get(network.name());
        if (o == null || !o.record().equals(network)) {
            if (o != null) {
                o.close();
            }
            o = Overlay.open(this, network);
            overlays.put(network.name(), o);
        }
        return o;
    }

    /** Forgets (and closes) the cached view of a network, e.g. before its namespace is removed. */
    public synchronized void forget(String network) {
        Overlay o = overlays.remove(network);
        if (o != null) {
            o.close();
        }
    }

    @Override
    public synchronized void close() {
        overlays.values().forEach(Overlay::close);
        overlays.clear();
        if (nft != null) {
            nft.close();
        }
        rtnl.close();
        namespace.close();
    }
}
