package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Peers;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Records.PeerRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code overlaynet peer add|rm|ls}. */
@Command(name = "peer", mixinStandardHelpOptions = true,
        description = "Remote endpoints (ARP + FDB entries) and flood-list VTEPs of a network.")
final class PeerCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = {
        "With --ip: a remote endpoint behind VTEP (permanent ARP entry, then FDB entry).",
        "Without --ip: VTEP joins the flood list (learning and flood modes)."})
    static final class Add implements Callable<Integer> {
        @Mixin HostOptions host;
        @Parameters(paramLabel = "NETWORK", description = "The network the peer belongs to.") String network;
        @Option(names = "--vtep", paramLabel = "IP", required = true, description = "The remote host's underlay address.") String vtep;
        @Option(names = "--ip", paramLabel = "IP", description = "The remote endpoint's IP.") Optional<String> ip;
        @Option(names = "--mac", paramLabel = "MAC",
                description = "The remote endpoint's MAC (default: 02:42 + the IPv4 bytes).") Optional<String> mac;

        @Override
        public Integer call() {
            InetAddress v = Ip.parseV4(vtep);
            if (ip.isEmpty() && mac.isPresent()) {
                throw new IllegalArgumentException("--mac needs --ip (a remote endpoint has both)");
            }
            try (Host h = host.open()) {
                Peers peers = new Peers(h);
                Optional<PeerRecord> before = ip.flatMap(i -> peers.list(Optional.of(network)).stream()
                        .filter(p -> p.ip().equals(Optional.of(Ip.parseV4(i).getHostAddress()))).findFirst());
                PeerRecord r = ip.isPresent()
                        ? peers.addEndpoint(network, Ip.parseV4(ip.get()), mac.map(MacAddress::parse), v)
                        : peers.addVtep(network, v);
                if (host.json()) {
                    Out.json(r);
                } else {
                    String moved = before.filter(b -> !b.vtep().equals(r.vtep()) || !b.mac().equals(r.mac()))
                            .map(b -> " (was " + b.mac().orElse("") + " via vtep " + b.vtep() + ": replaced)").orElse("");
                    System.out.println(r.ip().map(i -> "peer " + i + " lladdr " + r.mac().orElseThrow() + " via vtep ")
                            .orElse("flood list += vtep ") + r.vtep() + moved);
                }
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = {"Remove a remote endpoint (--ip) or a flood-list VTEP (--vtep).",
            "With both, the endpoint is removed only if it is at that VTEP."})
    static final class Remove implements Callable<Integer> {
        @Mixin HostOptions host;
        @Parameters(paramLabel = "NETWORK", description = "The network the peer belongs to.") String network;
        @Option(names = "--ip", paramLabel = "IP", description = "Remove the remote endpoint with this IP.") Optional<String> ip;
        @Option(names = "--vtep", paramLabel = "IP", description = "Remove this VTEP from the flood list.")
        Optional<String> vtep;

        @Override
        public Integer call() {
            try (Host h = host.open()) {
                boolean removed = new Peers(h).remove(network, ip.map(Ip::parseV4), vtep.map(Ip::parseV4));
                Out.Removals done = new Out.Removals(host.json());
                done.add("peer", ip.orElse(vtep.orElse("")), removed);
                done.finish();
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List peers.")
    static final class ListPeers implements Callable<Integer> {
        @Mixin HostOptions host;
        @Mixin NetworkFilter filter;

        @Override
        public Integer call() {
            try (Host h = host.open()) {
                Optional<String> network = filter.network(h).map(NetworkRecord::name);
                Out.listing(host.json(), new Peers(h).list(network), List.of("NETWORK", "IP", "MAC", "VTEP"),
                        p -> List.of(p.network(), p.ip().orElse("(flood)"), p.mac().orElse("00:00:00:00:00:00"),
                                p.vtep()));
            }
            return 0;
        }
    }
}
