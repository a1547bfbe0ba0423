package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this host should hold, from the store: for every network the store defines, the remote
 * endpoints (other live hosts' endpoints, each at its host's current VTEP).
 */
record Desired(Map<String, Network> networks) {

    Desired {
        networks = Map.copyOf(networks);
    }

    /**
     * One network.
     *
     * @param onDemand     reactive mode: entries are installed when the kernel misses them, so a missing
     *                     one is left missing; present ones are still corrected and stale ones removed
     * @param aheadOfTime  reactive mode: hosts that asked us to program their endpoints ahead of traffic
     */
    record Network(List<Remote> remotes, boolean onDemand, Set<String> aheadOfTime) {
        Network {
            remotes = List.copyOf(remotes);
            aheadOfTime = Set.copyOf(aheadOfTime);
        }

        static Network proactive(List<Remote> remotes) {
            return new Network(remotes, false, Set.of());
        }

        boolean installs(Remote r) {
            return !onDemand || aheadOfTime.contains(r.host());
        }
    }
}
