package io.overlaynet.cli;

import io.overlaynet.agent.Agent;
import io.overlaynet.agent.AgentConfig;
import io.overlaynet.dataplane.Attach;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** {@code overlaynet agent}: the per-host daemon. Runs until SIGTERM/SIGINT, then deregisters. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = {
    "Run this host's agent: register in the store, program remote endpoints (proactive) or answer the "
            + "kernel's misses (reactive), serve the local API and metrics.",
    "Stops cleanly on SIGTERM or SIGINT (its host and endpoint records leave the store).",
    "Logs to stderr, one line per event; with -o json, one JSON object per line (time, who, msg)."})
final class AgentCommand implements Callable<Integer> {
    @Mixin HostOptions host;
    @Option(names = "--store", paramLabel = "STORE", defaultValue = "${env:OVERLAYNET_STORE:-file:///var/lib/overlaynet/store}",
            description = "file:///dir or etcd://host:port[,host:port] (default ${DEFAULT-VALUE}).") String store;
    @Option(names = "--host", paramLabel = "NAME", description = "This host's name in the store (default: the kernel's hostname).")
    Optional<String> hostName;
    @Option(names = "--mode", paramLabel = "MODE",
            defaultValue = "proactive", description = "proactive | reactive (default ${DEFAULT-VALUE}).")
    String mode;
    @Option(names = "--underlay", paramLabel = "DEV",
            description = "Underlay device (default: the default route's device).") Optional<String> underlay;
    @Option(names = "--lease-ttl", paramLabel = "SECONDS",
            defaultValue = "10", description = "Host lease TTL in seconds (default ${DEFAULT-VALUE}).")
    int leaseTtl;
    @Option(names = "--api-socket", paramLabel = "PATH", description = "Local API socket (default /run/overlaynet/<prefix>/agent.sock).")
    Optional<Path> apiSocket;
    @Option(names = "--metrics-port", paramLabel = "PORT",
            defaultValue = "0", description = "Serve Prometheus metrics on 127.0.0.1:PORT (0: off).")
    int metricsPort;
    @Option(names = "--metrics-address", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address the metrics listen on (default ${DEFAULT-VALUE}: this host only).")
    String metricsAddress;
    @Option(names = "--docker-plugin", paramLabel = "NAME", description = {"Also serve Docker's network and IPAM driver "
            + "protocol as NAME (socket /run/docker/plugins/NAME.sock):",
        "docker network create -d NAME --ipam-driver NAME --subnet CIDR -o vni=N NET"})
    Optional<String> dockerPlugin;
    @Option(names = "--api-group", paramLabel = "GROUP", description = {"Members of GROUP may use the API socket too "
            + "(default: root only).", "Each caller's credentials are checked (SO_PEERCRED); others get 403."})
    Optional<String> apiGroup;
    @Option(names = "--no-allow-list", description = {"Build networks without the VTEP allow-list: any sender on the "
            + "underlay can put frames into them.", "By default VXLAN is accepted only from live hosts' VTEPs."})
    boolean noAllowList;
    @Option(names = "--encrypt", description = {"Carry VXLAN between hosts inside WireGuard (every agent of the cluster "
            + "takes it).", "The private key stays on this host; kernel WireGuard or wireguard-go is needed."})
    boolean encrypt;
    @Option(names = "--rekey", description = "With --encrypt: make a new key pair before registering (the others accept it).")
    boolean rekey;
    @Option(names = "--tunnel-subnet", paramLabel = "CIDR", defaultValue = AgentConfig.DEFAULT_TUNNEL_SUBNET,
            description = "With --encrypt: the hosts' tunnel addresses (default ${DEFAULT-VALUE}).")
    String tunnelSubnet;
    @Option(names = "--attach", paramLabel = "HOW", defaultValue = "macvlan", description = {"How containers join "
            + "the networks this agent builds from now on: macvlan (children of the VXLAN device) or bridge (veth + "
            + "bridge).", "A host's own choice: hosts attaching either way share a network (default ${DEFAULT-VALUE})."})
    String attach;
    @Option(names = "--reconcile-every", paramLabel = "SECONDS",
            defaultValue = "30", description = "Seconds between full reconciles (default ${DEFAULT-VALUE}).")
    int reconcileEvery;

    @Override
    public Integer call() throws Exception {
        boolean reactive = reactiveMode(mode);
        if (leaseTtl < 2 || leaseTtl > 3600 || reconcileEvery < 1) {
            throw new IllegalArgumentException("--lease-ttl must be 2..3600 and --reconcile-every at least 1");
        }
        host.open().close(); // validates the options and the host namespace before anything starts
        String name = hostName.orElseGet(AgentCommand::kernelHostname);
        AgentConfig cfg = new AgentConfig(store, name, reactive, underlay, host.prefix(), host.stateDir(),
                host.hostNs(), Duration.ofSeconds(leaseTtl), apiSocket.orElse(AgentConfig.defaultSocket(host.prefix())),
                metricsPort, Duration.ofSeconds(reconcileEvery), host.json(), dockerPlugin, apiGroup, !noAllowList, encrypt,
                rekey, tunnelSubnet, metricsAddress, Attach.parse(attach));
        if (rekey && !encrypt) {
            throw new IllegalArgumentException("--rekey goes with --encrypt");
        }
        dockerPlugin.ifPresent(n -> {
            if (!n.matches("[a-z0-9][a-z0-9_.-]{0,63}")) {
                throw new IllegalArgumentException("--docker-plugin '" + n + "' is not a driver name: use a-z, 0-9, '.', '_', '-'");
            }
        });
        Agent agent = new Agent(cfg);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread hook = new Thread(() -> {
            agent.close();
            done.complete(null);
        }, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            agent.start();
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            agent.close();
            throw e;
        }
        CompletableFuture.anyOf(done, agent.ended()).get();
        if (!done.isDone()) {
            // The agent ended on its own (its host namespace went): deregister, then exit.
            Runtime.getRuntime().removeShutdownHook(hook);
            agent.close();
        }
        return 0;
    }

    private static String kernelHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** An agent mode, {@code proactive} or {@code reactive}: whether it is reactive. */
    static boolean reactiveMode(String mode) {
        if (!mode.equals("proactive") && !mode.equals("reactive")) {
            throw new IllegalArgumentException("unknown --mode '" + mode + "': use proactive or reactive");
        }
        return mode.equals("reactive");
    }
}
