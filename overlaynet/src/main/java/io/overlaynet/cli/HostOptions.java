package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Options every host-level command takes: which simulated host, where its records live, output
 * format. All four may also come before the command ({@code overlaynet --ns-prefix h1- -o json
 * network ls}): one given after the command wins, then one given before it, then the environment
 * and the default.
 */
final class HostOptions extends OutputFormat {
    @Option(names = "--ns-prefix", paramLabel = "P", defaultValue = "${env:OVERLAYNET_NS_PREFIX:-}",
            description = "Prefix of every namespace name this host makes, so simulated hosts share a machine "
                    + "(env OVERLAYNET_NS_PREFIX).")
    String prefix = "";

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:OVERLAYNET_STATE_DIR:-/var/lib/overlaynet}",
            description = "Where records of what overlaynet made are kept (default ${DEFAULT-VALUE}; env OVERLAYNET_STATE_DIR).")
    Path stateDir = Host.DEFAULT_STATE_ROOT;

    @Option(names = "--host-ns", paramLabel = "NS",
            description = "Act as the host whose underlay is in namespace NS (default: the caller's namespace).")
    Optional<String> hostNs = Optional.empty();

    Host open() {
        json(); // a bad -o is a usage error before anything is opened
        return Host.open(prefix(), stateDir(), hostNs());
    }

    String prefix() {
        String p = pick("--ns-prefix", prefix, g -> g.nsPrefix);
        return p == null ? "" : p;
    }

    Path stateDir() {
        return pick("--state-dir", stateDir, g -> g.stateDir);
    }

    Optional<String> hostNs() {
        return pick("--host-ns", hostNs, g -> g.hostNs == null ? null : Optional.of(g.hostNs));
    }

    private <T> T pick(String name, T own, Function<Main.GlobalOptions, T> global) {
        return Main.GlobalOptions.resolve(mixee, name, own, global);
    }
}
