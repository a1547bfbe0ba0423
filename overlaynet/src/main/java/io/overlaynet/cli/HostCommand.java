package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Networks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code overlaynet host reset}: remove everything overlaynet made on this host, and nothing else. */
@Command(name = "host", mixinStandardHelpOptions = true, description = "Host-wide operations.",
        subcommands = {HostCommand.Reset.class})
final class HostCommand {

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Remove every network, endpoint and peer overlaynet recorded on this host. Idempotent.")
    static final class Reset implements Callable<Integer> {
        @Mixin HostOptions host;

        @Override
        public Integer call() {
            try (Host h = host.open()) {
                int n = new Networks(h).removeAll();
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
}
