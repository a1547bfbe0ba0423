package io.overlaynet.cli;

import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code overlaynet endpoint add|rm|ls}. */
@Command(name = "endpoint", mixinStandardHelpOptions = true, description = "Attach containers to a network.",
        subcommands = {EndpointCommand.Add.class, EndpointCommand.Remove.class, EndpointCommand.ListEndpoints.class})
final class EndpointCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Join a container to NETWORK: a new named namespace NAME (with the host's prefix), or an "
                    + "existing one given by --netns (/proc/PID/ns/net, /run/netns/NAME, a Docker SandboxKey).",
                "Idempotent; any failure undoes every step."})
    static final class Add implements Callable<Integer> {
        @Mixin HostOptions host;
        @Parameters(index = "0", paramLabel = "NETWORK") String network;
        @Parameters(index = "1", paramLabel = "NAME") String name;
        @Option(names = "--ip", required = true, description = "The container's address in the network's subnet.") String ip;
        @Option(names = "--mac", description = "MAC (default: 02:42 + the IPv4 bytes).") Optional<String> mac;
        @Option(names = "--netns", paramLabel = "PATH", description = "Attach this existing namespace.") Optional<Path> netns;

        @Override
        public Integer call() {
            Endpoints.Request req = new Endpoints.Request(network, name, Ip.parseV4(ip), mac.map(MacAddress::parse), netns);
            try (Host h = host.open()) {
                Endpoints.Added a = new Endpoints(h).add(req);
                if (host.json()) {
                    Out.json(a.record());
                } else {
                    EndpointRecord r = a.record();
                    System.out.printf("endpoint %s %s: %s/%s mac %s in %s (%s on the bridge)%n", r.name(),
                            a.changed() ? "added" : "unchanged", r.ip(), network, r.mac(), r.namespace(), r.hostVeth());
                }
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Detach an endpoint (and remove its namespace if overlaynet made it).")
    static final class Remove implements Callable<Integer> {
        @Mixin HostOptions host;
        @Parameters(index = "0", paramLabel = "NETWORK") String network;
        @Parameters(index = "1..*", paramLabel = "NAME", arity = "1..*") List<String> names;

        @Override
        public Integer call() {
            try (Host h = host.open()) {
                for (String n : names) {
                    boolean removed = new Endpoints(h).remove(network, n);
                    System.out.println("endpoint " + n + (removed ? " removed" : ": not present"));
                }
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List local endpoints.")
    static final class ListEndpoints implements Callable<Integer> {
        @Mixin HostOptions host;
        @Option(names = "--network") Optional<String> network;

        @Override
        public Integer call() {
            try (Host h = host.open()) {
                List<EndpointRecord> all = new Endpoints(h).list(network);
                if (host.json()) {
                    Out.json(all);
                } else {
                    Out.table(List.of("NETWORK", "NAME", "IP", "MAC", "NAMESPACE", "VETH"), all.stream()
                            .map(e -> List.of(e.network(), e.name(), e.ip(), e.mac(), e.namespace(), e.hostVeth())).toList());
                }
            }
            return 0;
        }
    }
}
