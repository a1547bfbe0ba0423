package io.overlaynet.cli;

import io.overlaynet.agent.Cluster;
import io.overlaynet.dataplane.Host;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.dataplane.Networks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code overlaynet host reset}: remove everything overlaynet made on this host, and nothing else. */
@Command(name = "host", mixinStandardHelpOptions = true, description = "Host-wide operations.")
final class HostCommand {

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Remove every network, endpoint and peer overlaynet recorded on this host, and its "
                    + "WireGuard tunnel. Idempotent.")
    static final class Reset implements Callable<Integer> {
        @Mixin HostOptions host;

        @Override
        public Integer call() {
            host.refuseBypassingAgent("a host reset", "overlaynet endpoint rm NETWORK NAME ...' for its endpoints, or stop "
                    + "the agent first ('kill -TERM PID', which deregisters it)");
            try (Host h = host.open()) {
                int n = new Networks(h).removeAll();
                io.overlaynet.dataplane.WireGuard.stop(h); // the tunnel of an agent that ran --encrypt
                h.pruneState();
                if (host.json()) {
                    Out.json(Map.of("removedNetworks", n));
                } else {
                    System.out.println("host reset: removed " + n + " network(s) and their endpoints and peers");
                }
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "The hosts registered in the store: VTEP, VTEP MAC, agent version, lease left.")
    static final class ListHosts implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Mixin StoreOption store;

        @Override
        public Integer call() {
            try (Store s = Stores.open(store.url())) {
                Out.listing(format.json(), new Cluster(s).hosts(), List.of("HOST", "VTEP", "MAC", "VERSION", "LEASE LEFT"),
                        h -> List.of(h.name(), h.vtep(), h.mac(), h.version().isEmpty() ? "-" : h.version(),
                                h.leaseLeftSeconds() < 0 ? "-" : h.leaseLeftSeconds() + "s"));
            }
            return 0;
        }
    }
}
