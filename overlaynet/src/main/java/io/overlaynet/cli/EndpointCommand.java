package io.overlaynet.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.overlaynet.agent.AgentClient;
import io.overlaynet.agent.Cluster;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.runtimes.ContainerApi;
import io.overlaynet.state.LocalState;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code overlaynet endpoint add|rm|ls}. */
@Command(name = "endpoint", mixinStandardHelpOptions = true, description = "Attach containers to a network.")
final class EndpointCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Join a container to NETWORK: a new named namespace NAME (with the host's prefix), or an "
                    + "existing one given by --netns (/proc/PID/ns/net, /run/netns/NAME, a Docker SandboxKey).",
                "Idempotent; any failure undoes every step."})
    static final class Add implements Callable<Integer> {
        @Mixin HostOptions host;
        @Parameters(index = "0", paramLabel = "NETWORK", description = "The network to join.") String network;
        @Parameters(index = "1", paramLabel = "NAME",
                description = "The endpoint's name; also its namespace name (after the host's prefix) unless --netns is given.")
        String name;
        @Option(names = "--ip", paramLabel = "IP", description = "The container's address (optional when an agent runs: it allocates one).")
        Optional<String> ip;
        @Mixin AgentSocketOption agentSocket;
        @Option(names = "--mac", paramLabel = "MAC", description = "MAC (default: 02:42 + the IPv4 bytes).") Optional<String> mac;
        @Option(names = "--netns", paramLabel = "PATH", description = "Attach this existing namespace (a path, or a name "
                + "'ip netns' lists).") Optional<Path> netns;
        @Option(names = "--container", paramLabel = "NAME", description = {"Attach this running Docker or podman "
                + "container (e.g. started with --net=none), its namespace found through the runtime's API."})
        Optional<String> container;
        @Option(names = "--api-socket", paramLabel = "PATH", description = "The container API's socket (default: "
                + "$DOCKER_HOST, else /var/run/docker.sock, else /run/podman/podman.sock).")
        Optional<Path> apiSocket;

        @Override
        public Integer call() throws IOException {
            mac.ifPresent(MacAddress::parse);
            ip.ifPresent(Ip::parseV4);
            if (container.isPresent()) {
                if (netns.isPresent()) {
                    throw new IllegalArgumentException("--container and --netns both name the namespace: give one");
                }
                netns = Optional.of(ContainerApi.namespaceOf(ContainerApi.socket(apiSocket), container.get()));
            }
            netns = netns.map(EndpointCommand::namespacePath);
            Optional<AgentClient> agent = agentSocket.agent(host);
            if (agent.isPresent()) {
                EndpointRecord r = agent.get().addEndpoint(network, name, ip, mac, netns.map(Path::toAbsolutePath));
                print(new Endpoints.Added(r, true), host.json());
                return 0;
            }
            String addr = ip.orElseThrow(() -> new IllegalArgumentException(
                    "no --ip given and no agent runs for this host to allocate one: give --ip or start 'overlaynet agent'"));
            Endpoints.Request req = new Endpoints.Request(network, name, Ip.parseV4(addr), mac.map(MacAddress::parse), netns);
            try (Host h = host.open()) {
                print(new Endpoints(h).add(req), host.json());
            }
            return 0;
        }

        private void print(Endpoints.Added a, boolean json) {
            if (json) {
                Out.json(a.record());
                return;
            }
            EndpointRecord r = a.record();
            System.out.printf("endpoint %s %s: %s/%s mac %s in %s (%s)%n", r.name(),
                    a.changed() ? "added" : "unchanged", r.ip(), network, r.mac(), r.namespace(),
                    r.hostVeth().isEmpty() ? "a macvlan child of the VXLAN device" : r.hostVeth() + " on the bridge");
        }
    }

    /** A namespace name that 'ip netns' lists stands for its file under /run/netns. */
    static Path namespacePath(Path given) {
        if (!given.isAbsolute() && given.getNameCount() == 1 && Files.exists(NetNamespaces.RUN_DIR.resolve(given))) {
            return NetNamespaces.RUN_DIR.resolve(given);
        }
        return given;
    }

    /**
     * "up", or "namespace gone": the container's namespace no longer exists (its process ended, or its
     * sandbox was removed) and the endpoint only waits to be removed ('overlaynet endpoint rm').
     */
    static String state(EndpointRecord e) {
        String ns = e.namespace();
        boolean there;
        if (!ns.startsWith("/")) {
            there = NetNamespaces.exists(ns);
        } else if (ns.startsWith("/proc/")) {
            there = Files.exists(Path.of(ns)); // the process still runs
        } else {
            there = mounted(ns); // a bind mount (a Docker sandbox, /run/netns/NAME): the file may outlive it
        }
        return there ? "up" : "namespace gone";
    }

    /** Whether something is mounted at {@code path} (field 5 of /proc/self/mountinfo, spaces escaped). */
    private static boolean mounted(String path) {
        try {
            String escaped = path.replace(" ", "\\040");
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" "))
                    .anyMatch(f -> f.length > 4 && f[4].equals(escaped));
        } catch (IOException e) {
            return Files.exists(Path.of(path));
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Detach an endpoint (and remove its namespace if overlaynet made it).")
    static final class Remove implements Callable<Integer> {
        @Mixin HostOptions host;
        @Parameters(index = "0", paramLabel = "NETWORK", description = "The endpoints' network.") String network;
        @Parameters(index = "1..*", paramLabel = "NAME", arity = "1..*", description = "Endpoints to remove.")
        List<String> names;
        @Mixin AgentSocketOption agentSocket;

        @Override
        public Integer call() throws IOException {
            Optional<AgentClient> agent = agentSocket.agent(host);
            Out.Removals done = new Out.Removals(host.json());
            if (agent.isPresent()) {
                for (String n : names) {
                    done.add("endpoint", n, agent.get().removeEndpoint(network, n));
                }
            } else {
                try (Host h = host.open()) {
                    Endpoints endpoints = new Endpoints(h);
                    for (String n : names) {
                        done.add("endpoint", n, endpoints.remove(network, n));
                    }
                }
            }
            done.finish();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List this host's endpoints, or with --store every host's (with host and VTEP).")
    static final class ListEndpoints implements Callable<Integer> {
        @Mixin HostOptions host;
        @Mixin NetworkFilter filter;
        @Mixin StoreOption store;

        @Override
        public Integer call() {
            if (store.given()) {
                try (Store s = Stores.open(store.url())) {
                    Out.listing(host.json(), new Cluster(s).endpoints(filter.name()),
                            List.of("NETWORK", "IP", "NAME", "MAC", "HOST", "VTEP"),
                            e -> List.of(e.network(), e.ip(), e.name(), e.mac(), e.host(), e.vtep()));
                }
                return 0;
            }
            try (Host h = host.open()) {
                Optional<String> network = filter.network(h).map(NetworkRecord::name);
                List<EndpointRecord> all = new Endpoints(h).list(network);
                if (host.json()) {
                    Out.json(all.stream().map(e -> LocalState.JSON.<ObjectNode>valueToTree(e).put("state", state(e))).toList());
                } else {
                    Out.table(List.of("NETWORK", "NAME", "IP", "MAC", "NAMESPACE", "VETH", "STATE"), all.stream()
                            .map(e -> List.of(e.network(), e.name(), e.ip(), e.mac(), e.namespace(),
                                    e.hostVeth().isEmpty() ? "(macvlan)" : e.hostVeth(), state(e)))
                            .toList());
                }
            }
            return 0;
        }
    }
}
