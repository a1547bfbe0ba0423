package io.overlaynet.cli;

import io.overlaynet.agent.AgentIndex;
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

    /**
     * The host's records alone, for commands that only read them (listings): no namespace handle and no
     * netlink socket, so such a command never starts the native-call machinery (~50 ms of a ~200 ms
     * start). The host namespace, when named, must exist all the same.
     */
    io.overlaynet.state.LocalState records() {
        json();
        hostNs().ifPresent(io.overlaynet.netlink.netns.NetNamespaces::requireExists);
        return Host.records(prefix(), stateDir());
    }

    /**
     * The prefix given (after the command, before it, or in the environment); else, on a host whose
     * agent left a note ({@link AgentIndex}), the agent's: a command run as a simulated host needs
     * nothing more than the host's namespace. So does a lab host's, whose prefix its lab recorded.
     */
    String prefix() {
        if (!given("--ns-prefix", g -> g.nsPrefix, "OVERLAYNET_NS_PREFIX")) {
            Optional<AgentIndex.Note> agent = agentNote();
            if (agent.isPresent()) {
                return agent.get().prefix();
            }
            Optional<String> ns = hostNs();
            if (ns.isPresent()) {
                // A lab host's namespace: its namespaces carry the host's prefix, recorded by 'lab up'.
                Optional<String> labPrefix = io.overlaynet.lab.Lab.findHost(stateDir(), h -> h.namespace().equals(ns.get()))
                        .map(m -> m.host().nsPrefix());
                if (labPrefix.isPresent()) {
                    return labPrefix.get();
                }
            }
        }
        String p = pick("--ns-prefix", prefix, g -> g.nsPrefix);
        return p == null ? "" : p;
    }

    /** As {@link #prefix}: the directory given, else the agent's, else the default. */
    Path stateDir() {
        if (!given("--state-dir", g -> g.stateDir, "OVERLAYNET_STATE_DIR")) {
            Optional<AgentIndex.Note> agent = agentNote();
            if (agent.isPresent()) {
                return Path.of(agent.get().stateDir());
            }
        }
        return pick("--state-dir", stateDir, g -> g.stateDir);
    }

    private Optional<AgentIndex.Note> note;

    /** The agent serving the host this command acts as, looked up once. */
    Optional<AgentIndex.Note> agentNote() {
        if (note == null) {
            note = AgentIndex.find(hostNs());
        }
        return note;
    }

    /**
     * One door: on a host an agent serves, networks and endpoints change through the agent, so that
     * the store and every other host know. A local change that would bypass it is refused, naming the
     * agent and the command to use.
     */
    void refuseBypassingAgent(String change, String instead) {
        Optional<AgentIndex.Note> a = agentNote();
        if (a.isPresent()) {
            throw new IllegalArgumentException("the agent of host " + a.get().host() + " (pid " + a.get().pid() + ", store "
                    + a.get().store() + ") runs this host's networks: " + change + " here would bypass it and no other "
                    + "host would know; use '" + instead.replace("STORE", a.get().store()) + "'");
        }
    }

    private boolean given(String name, Function<Main.GlobalOptions, Object> global, String env) {
        if (System.getenv(env) != null) {
            return true;
        }
        if (mixee != null && mixee.commandLine() != null && mixee.commandLine().getParseResult() != null
                && mixee.commandLine().getParseResult().hasMatchedOption(name)) {
            return true;
        }
        return mixee != null && mixee.commandLine() != null && mixee.root().userObject() instanceof Main main
                && main.globals != null && global.apply(main.globals) != null;
    }

    Optional<String> hostNs() {
        return pick("--host-ns", hostNs, g -> g.hostNs == null ? null : Optional.of(g.hostNs));
    }

    private <T> T pick(String name, T own, Function<Main.GlobalOptions, T> global) {
        return Main.GlobalOptions.resolve(mixee, name, own, global);
    }
}
