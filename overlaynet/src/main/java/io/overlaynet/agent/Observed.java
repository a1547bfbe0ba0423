package io.overlaynet.agent;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this host's kernel holds for the networks the agent runs: the VXLAN device's neighbour and FDB
 * dumps as they came, and the remote endpoints someone wired by hand ({@code peer add}), which are not
 * the agent's to change.
 */
record Observed(Map<String, Network> networks) {

    Observed {
        networks = Map.copyOf(networks);
    }

    /**
     * One network's dumps.
     *
     * @param handIps  IPs of peers added by hand on this host: their entries are never touched
     * @param handMacs MACs of those peers
     */
    record Network(List<Neighbour> neighbours, List<FdbEntry> fdb, Set<InetAddress> handIps, Set<MacAddress> handMacs) {
        Network {
            neighbours = List.copyOf(neighbours);
            fdb = List.copyOf(fdb);
            handIps = Set.copyOf(handIps);
            handMacs = Set.copyOf(handMacs);
        }

        /**
         * The agent owns permanent IPv4 neighbours with a MAC; reachable or stale ones are the kernel's,
         * IPv6 ones nobody's here, and hand-made peers the user's.
         */
        boolean owns(Neighbour n) {
            return n.isPermanent() && n.ip() instanceof Inet4Address && n.mac().isPresent() && !handIps.contains(n.ip());
        }

        /**
         * The agent owns permanent entries of the device's own table that send a unicast MAC to a VTEP.
         * Learned entries, the all-zeros flood list, the bridge's own entries and entries an external
         * controller marked ({@code extern_learn}) are not its.
         */
        boolean owns(FdbEntry e) {
            return e.isSelf() && e.isPermanent() && (e.flags() & Rtm.NTF_EXT_LEARNED) == 0 && e.dst().isPresent()
                    && !e.mac().isZero() && !e.mac().isMulticast() && !handMacs.contains(e.mac());
        }
    }
}
