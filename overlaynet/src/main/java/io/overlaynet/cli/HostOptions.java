package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Options every host-level command takes: which simulated host, where its records live, output
 * format. All four may also come before the command ({@code overlaynet --ns-prefix h1- -o json
 * network ls}): one given after the command wins, then one given before it, then the environment
 * and the default.
 */
final class HostOptions {
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

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default ${DEFAULT-VALUE}).")
    String output = "text";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    Host open() {
        Out.wantsJson(output());
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

    boolean json() {
        return Out.wantsJson(output());
    }

    private String output() {
        return pick("--output", output, g -> g.output);
    }

    private <T> T pick(String name, T own, Function<Main.GlobalOptions, T> global) {
        return Main.GlobalOptions.resolve(mixee, name, own, global);
    }
}
