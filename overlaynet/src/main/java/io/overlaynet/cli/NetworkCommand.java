package io.overlaynet.cli;

import io.overlaynet.agent.Cluster;
import io.overlaynet.agent.StoreRecords;
import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.Host;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Underlay;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code overlaynet network create|rm|ls|inspect}. */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Create, remove and list overlay networks.")
final class NetworkCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a network on this host: overlay namespace with the VXLAN device and the gateway.")
    static final class Create implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin HostOptions host;
        @Parameters(index = "0", paramLabel = "NAME", description = "The network's name.") String name;
        @Option(names = "--vni", paramLabel = "VNI", required = true, description = "VXLAN network identifier, 1..16777215.") int vni;
        @Option(names = "--subnet", paramLabel = "CIDR", required = true, description = "IPv4 subnet, e.g. 12.12.12.0/24.") String subnet;
        @Option(names = "--gateway", paramLabel = "IP",
                description = "Gateway address on the bridge (default: first address).") Optional<String> gateway;
        @Option(names = "--mtu", paramLabel = "BYTES",
                description = "MTU (default: underlay MTU - 50; with --store 1450, which fits 1500-byte underlays).") Optional<Integer> mtu;
        @Option(names = "--port", paramLabel = "PORT",
                defaultValue = "4789", description = "VXLAN UDP port (default ${DEFAULT-VALUE}).") int port;
        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "static",
                description = "static | learning | multicast:<group> | flood (default ${DEFAULT-VALUE}).") String mode;
        @Option(names = "--underlay", paramLabel = "DEV",
                description = "Underlay device (default: the default route's device).") Optional<String> underlay;
        @Option(names = "--bridge", paramLabel = "DEV", description = "Extend this existing bridge instead of making an overlay namespace.")
        Optional<String> bridge;
        @Option(names = "--attach", paramLabel = "HOW", description = {"How containers join the network on this host: "
                + "macvlan (a child of the VXLAN device each; the default) or bridge (a veth pair each, on bridge br0; "
                + "always with --bridge).", "Hosts attaching either way share the network."})
        Optional<String> attach;
        @Option(names = "--udp-csum", description = {"Compute the outer UDP checksum of the VXLAN frames this host sends.",
            "Off by default, as RFC 7348 advises (receivers accept frames either way); it costs throughput."})
        boolean udpCsum;
        @Mixin StoreOption store;
        @Option(names = "--egress", negatable = true, description = {"Let containers reach addresses outside the network "
                + "through their host, their source translated to the host's address.",
            "Default: on with --store (the agents' networks, which CNI and Docker containers join), off otherwise."})
        Optional<Boolean> egress;
        @Option(names = "--allow-overlap", description = {"Allow a subnet that overlaps another network's (tenants kept "
                + "apart by VNI alone).", "Refused by default: a host routing for both could not tell their addresses apart."})
        boolean allowOverlap;
        @Option(names = "--no-allow-list", description = {"Accept VXLAN from any sender on the underlay (needed for "
                + "multicast mode).", "By default only peers' VTEPs are let in (nf_tables table ip overlaynet_vteps)."})
        boolean noAllowList;

        @Override
        public Integer call() {
            IpPrefix net = IpPrefix.parse(subnet);
            if (!net.equals(net.network())) {
                throw new IllegalArgumentException("subnet " + subnet + " has host bits set: use " + net.network());
            }
            Mode m = Mode.parse(mode);
            if (store.given()) {
                refuseHostOnlyOptions(spec);
                NetworkConfig cfg = new NetworkConfig(name, vni, net, gateway.map(Ip::parse)
                        .orElseGet(() -> net.network().addressAt(1)), mtu.orElse(1450), port, m, bridge, udpCsum,
                        egress.orElse(true));
                StoreRecords.NetworkSpec spec = new StoreRecords.NetworkSpec(name, vni, cfg.subnet().toString(),
                        cfg.gateway().getHostAddress(), cfg.mtu(), port, udpCsum, cfg.egress());
                try (Store s = Stores.open(store.url())) {
                    boolean made = new Cluster(s).define(spec, allowOverlap);
                    if (host.json()) {
                        Out.json(spec);
                    } else {
                        System.out.println("network " + name + (made ? " defined" : " unchanged") + " in " + s.describe());
                    }
                }
                return 0;
            }
            if (m.runByAgent()) {
                throw new IllegalArgumentException("mode " + m + " is an agent's: define the network in the store "
                        + "('overlaynet network create " + name + " --vni " + vni + " --subnet " + subnet
                        + " --store URL') and run 'overlaynet agent --mode " + m + "' on each host");
            }
            host.refuseBypassingAgent("creating network " + name, "overlaynet network create " + name + " --vni " + vni
                    + " --subnet " + subnet + " --store STORE");
            try (Host h = host.open()) {
                // The default MTU comes from the underlay, so then it is found once, here, and handed on.
                Optional<Underlay> found = mtu.isPresent() ? Optional.empty() : Optional.of(Underlay.detect(h.rtnl(), underlay));
                int effectiveMtu = mtu.orElseGet(() -> found.orElseThrow().mtu() - NetworkConfig.VXLAN_OVERHEAD);
                NetworkConfig cfg = new NetworkConfig(name, vni, net,
                        gateway.map(Ip::parse).orElseGet(() -> net.network().addressAt(1)), effectiveMtu, port, m, bridge, udpCsum,
                        egress.orElse(false)).attachedBy(attach.map(Attach::parse)
                        .orElse(bridge.isPresent() ? Attach.BRIDGE : Attach.DEFAULT));
                Networks asked = attach.isPresent() ? new Networks(h).attachAsked() : new Networks(h);
                Networks plain = noAllowList ? asked.open() : asked;
                Networks nets = allowOverlap ? plain.allowingOverlap() : plain;
                Networks.Created c = found.map(u -> nets.create(cfg, u)).orElseGet(() -> nets.create(cfg, underlay));
                if (m instanceof Mode.Learning) {
                    System.err.println("overlaynet: note: learned FDB entries age out after 300 s; a container that "
                            + "stays silent that long is unreachable until it sends again (use static or flood to avoid)");
                }
                if (host.json()) {
                    Out.json(c.record());
                } else {
                    NetworkRecord r = c.record();
                    System.out.printf("network %s %s: vni %d subnet %s gateway %s mtu %d port %d mode %s%s%s%s%s vtep %s (%s)%s%n",
                            r.name(), c.changed() ? "created" : "unchanged", r.vni(), r.subnet(), r.gateway(), r.mtu(),
                            r.port(), r.mode(), r.udpCsum() ? " udp-csum" : "", r.egress() ? " egress" : "",
                            r.allowList() ? "" : " open", r.attachment() == Attach.MACVLAN ? " macvlan" : "", r.vtep(), r.underlay(),
                            r.bridge().map(b -> " on bridge " + b).orElse(" in namespace " + r.overlayNamespace()));
                }
            }
            return 0;
        }
    }

    /**
     * A network defined in a store is wired by each host's agent, which picks the underlay and the
     * mode itself; saying them here would be silently ignored, so it is refused.
     */
    private static void refuseHostOnlyOptions(CommandSpec spec) {
        List<String> given = Stream.of("--mode", "--bridge", "--underlay", "--no-allow-list", "--attach")
                .filter(o -> spec.commandLine().getParseResult().hasMatchedOption(o)).toList();
        if (!given.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", given) + " describe one host and cannot go with --store: the agents build "
                    + "each host's side (see 'overlaynet agent --help' for its --underlay, --mode and --no-allow-list)");
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = {"Remove a network, its endpoints and peers: "
            + "on this host, or with --store on every host (each host's agent removes its side).",
        "With --store, a network that still has endpoints is refused unless --force."})
    static final class Remove implements Callable<Integer> {
        @Mixin HostOptions host;
        @Mixin StoreOption store;
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Networks to remove.") List<String> names;
        @Option(names = "--force", description = "With --store: remove the network's endpoints on every host too.")
        boolean force;

        @Override
        public Integer call() {
            Out.Removals done = new Out.Removals(host.json());
            if (store.given()) {
                try (Store s = Stores.open(store.url())) {
                    Cluster c = new Cluster(s);
                    for (String n : names) {
                        done.add("network", n, c.removeNetwork(NetworkConfig.checkName(n), force));
                    }
                }
                done.finish();
                return 0;
            }
            for (String n : names) {
                host.refuseBypassingAgent("removing network " + n, "overlaynet network rm " + n + " --store STORE");
            }
            try (Host h = host.open()) {
                Networks networks = new Networks(h);
                for (String n : names) {
                    done.add("network", n, networks.remove(n));
                }
            }
            done.finish();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List this host's networks, or with --store the cluster's.")
    static final class ListNetworks implements Callable<Integer> {
        @Mixin HostOptions host;
        @Mixin StoreOption store;

        @Override
        public Integer call() {
            if (store.given()) {
                try (Store s = Stores.open(store.url())) {
                    Out.listing(host.json(), new Cluster(s).networkViews(),
                            List.of("NAME", "VNI", "SUBNET", "GATEWAY", "MTU", "PORT", "ENDPOINTS"),
                            n -> List.of(n.name(), "" + n.vni(), n.subnet(), n.gateway(), "" + n.mtu(), "" + n.port(),
                                    "" + n.endpoints()));
                }
                return 0;
            }
            // Records only: a listing opens nothing in the kernel.
            Out.listing(host.json(), Networks.list(host.records()),
                    List.of("NAME", "VNI", "SUBNET", "GATEWAY", "MTU", "MODE", "VTEP", "ATTACH", "WHERE"),
                    r -> List.of(r.name(), "" + r.vni(), r.subnet(), r.gateway(), "" + r.mtu(), r.mode(), r.vtep(),
                            r.attachment().toString(), r.bridge().map(b -> "bridge " + b).orElse(r.overlayNamespace())));
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show one network as JSON: this host's record, or with --store the cluster's, with its endpoints.")
    static final class Inspect implements Callable<Integer> {
        @Mixin HostOptions host;
        @Mixin StoreOption store;
        @Parameters(paramLabel = "NAME", description = "The network to show.") String name;

        /** {@code network inspect --store}: the definition and every endpoint registered in it. */
        record ClusterNetwork(StoreRecords.NetworkSpec network, List<Cluster.Endpoint> endpoints) {
        }

        @Override
        public Integer call() {
            if (store.given()) {
                try (Store s = Stores.open(store.url())) {
                    Cluster c = new Cluster(s);
                    StoreRecords.NetworkSpec n = c.network(NetworkConfig.checkName(name)).orElseThrow(() ->
                            new IllegalArgumentException("network " + name + " is not in " + s.describe()
                                    + ": see 'overlaynet network ls --store'"));
                    Out.json(new ClusterNetwork(n, c.endpoints(Optional.of(name))));
                }
                return 0;
            }
            try (Host h = host.open()) {
                Out.json(new Networks(h).get(name));
            }
            return 0;
        }
    }
}
