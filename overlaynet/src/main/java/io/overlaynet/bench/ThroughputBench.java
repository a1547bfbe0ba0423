package io.overlaynet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.overlaynet.dataplane.AllowList;
import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.BridgeNetfilter;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.Peers;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Records.PeerRecord;
import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.Route;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.VxlanSpec;
import io.overlaynet.state.LocalState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code overlaynet bench throughput}: iperf3 TCP from node1's pinkns to node2's pinkns across the
 * overlay, against node1 to node2 directly on the same underlay; each round runs every setting once
 * and the headline twice, the two paths in turn (which goes first alternates by round), medians over
 * the rounds. The settings show what the walkthroughs' hand-built overlay pays for.
 */
public final class ThroughputBench {
    private static final int PORT = 5201;
    private final int rounds;
    private final int seconds;
    private final int omit;
    private final List<Setting> settings;
    private final PrintStream out;

    /** {@code headlineOnly}: run overlaynet's defaults alone, for more rounds in the same time. */
    public ThroughputBench(int rounds, int seconds, int omit, boolean headlineOnly, PrintStream out) {
        this.rounds = rounds;
        this.seconds = seconds;
        this.omit = omit;
        this.settings = headlineOnly ? List.of(SETTINGS.getLast()) : SETTINGS;
        this.out = out;
    }

    /**
     * One row: which hooks and outer checksum are on, and what the row changes besides. {@code kernelMss}:
     * the containers' routes without the network's advmss, so TCP takes the kernel's MSS as the walkthroughs' does.
     * {@code iperfArgs}: what the row asks of iperf3 on both paths (another congestion control, more
     * streams). {@code routeCc}: a congestion control set on both paths' routes ({@code congctl}), so that
     * sockets take it from their first packet.
     */
    private record Setting(String name, boolean overlayHooks, boolean underlayHooks, boolean udpCsum,
                           List<String> iperfArgs, Offload offload, boolean kernelMss, boolean openVteps,
                           Layout layout, Optional<String> routeCc) {
        Setting(String name, boolean overlayHooks, boolean underlayHooks, boolean udpCsum) {
            this(name, overlayHooks, underlayHooks, udpCsum, List.of(), Offload.NONE, false, false, Layout.BRIDGE,
                    Optional.empty());
        }

        /** The lab default (no outer checksum, no hooks), to be changed in one respect. */
        static Setting labDefault(String name) {
            return new Setting(name, false, false, false);
        }

        Setting iperf(String... args) {
            List<String> all = new ArrayList<>(iperfArgs);
            all.addAll(List.of(args));
            return new Setting(name, overlayHooks, underlayHooks, udpCsum, List.copyOf(all), offload, kernelMss, openVteps,
                    layout, routeCc);
        }

        Setting offloadOff(Offload off) {
            return new Setting(name, overlayHooks, underlayHooks, udpCsum, iperfArgs, off, kernelMss, openVteps, layout,
                    routeCc);
        }

        Setting withKernelMss() {
            return new Setting(name, overlayHooks, underlayHooks, udpCsum, iperfArgs, offload, true, openVteps, layout,
                    routeCc);
        }

        /** The VTEP allow-list's rules out for this row's runs (its sets stay). */
        Setting withoutAllowList() {
            return new Setting(name, overlayHooks, underlayHooks, udpCsum, iperfArgs, offload, kernelMss, true, layout,
                    routeCc);
        }

        /** The same, measured between the containers of another layout. */
        Setting on(Layout l) {
            return new Setting(name, overlayHooks, underlayHooks, udpCsum, iperfArgs, offload, kernelMss, openVteps, l,
                    routeCc);
        }

        /** The same with {@code cc} set on both paths' routes. */
        Setting routeCongestionControl(String cc) {
            return new Setting(name, overlayHooks, underlayHooks, udpCsum, iperfArgs, offload, kernelMss, openVteps,
                    layout, Optional.of(cc));
        }
    }

    /**
     * Which containers a row measures between. BRIDGE: the lab's own (veth + bridge). MACVLAN: a second
     * network on the same hosts attached as overlaynet's defaults are (macvlan), one container each. FLANNEL: no overlaynet at all,
     * flannel's layout built with iproute2 in each host namespace: a VXLAN device with an address and a
     * route per remote host's subnet, its neighbour and FDB entry, and a container on a routed veth.
     */
    private enum Layout {
        BRIDGE, MACVLAN, FLANNEL
    }

    /** A container to measure from or to: its namespace and address. */
    private record Target(String namespace, String ip) {
    }

    private static final String MACVLAN_NETWORK = "mv";
    private static final IpPrefix MACVLAN_SUBNET = IpPrefix.parse("10.91.0.0/24");
    private static final int MACVLAN_VNI = 43;
    private static final int FLANNEL_VNI = 1;
    private static final int FLANNEL_PORT = 8472;
    private final Map<Layout, List<Target>> targets = new java.util.EnumMap<>(Layout.class);

    /**
     * An offload one setting turns off on both lab hosts ({@code ethtool -K}) and the next turns on again:
     * GRO on vxlan1 (decapsulated packets then skip the GRO cells), or the VXLAN segmentation offload of
     * the hosts' underlay devices (the kernel then cuts each 64 KiB tunnel packet in software).
     */
    private enum Offload {
        NONE("", "", false),
        VXLAN_GRO(Overlay.VXLAN, "gro", true),
        UNDERLAY_TUNNEL_GSO(Lab.HOST_IF, "tx-udp_tnl-segmentation", false);

        private final String device;
        private final String feature;
        private final boolean inOverlayNamespace;

        Offload(String device, String feature, boolean inOverlayNamespace) {
            this.device = device;
            this.feature = feature;
            this.inOverlayNamespace = inOverlayNamespace;
        }

        void set(LabRecord rec, boolean on) {
            if (this == NONE) {
                return;
            }
            for (LabHost h : rec.hosts()) {
                String ns = inOverlayNamespace ? h.overlayNamespace() : h.namespace();
                Commands.run(List.of("ip", "netns", "exec", ns, "ethtool", "-K", device, feature, on ? "on" : "off"));
            }
        }
    }

    /**
     * One iperf3 run's result: what arrived, how many segments the sender sent again, and the whole
     * machine's busy CPU ticks per GB sent over the run (both ends, every hop, whichever CPU did it).
     */
    private record Run(double gbps, long retransmits, double ticksPerGb) {
    }

    /** The two paths measured back to back under one setting. */
    private record Pair(Run under, Run over) {
        double ratio() {
            return over.gbps() / under.gbps();
        }

        /** What a GB costs the machine on the overlay, in underlay GBs. */
        double cpuRatio() {
            return over.ticksPerGb() / under.ticksPerGb();
        }
    }

    /**
     * One setting over the rounds: median throughput of each path, and the median of the rounds' own
     * ratios. A round measures the two paths back to back, so its ratio is free of the drift between
     * rounds (the same path gives 5-9 Gbit/s minutes apart); a ratio of the two medians would pair
     * one round's underlay with another's overlay.
     */
    private record Summary(Setting setting, double under, double over, double ratio, double cpuRatio,
                           double underRetransmits, double overRetransmits) {
        static Summary of(Setting s, List<Pair> pairs) {
            return new Summary(s, Stats.median(pairs.stream().map(p -> p.under().gbps()).toList()),
                    Stats.median(pairs.stream().map(p -> p.over().gbps()).toList()),
                    Stats.median(pairs.stream().map(Pair::ratio).toList()),
                    Stats.median(pairs.stream().map(Pair::cpuRatio).toList()),
                    Stats.median(pairs.stream().map(p -> (double) p.under().retransmits()).toList()),
                    Stats.median(pairs.stream().map(p -> (double) p.over().retransmits()).toList()));
        }

        String row() {
            return String.format("%-78s %8.2f %8.2f %6.2f %6.2f %7.0f/%.0f", setting.name(), under, over, ratio,
                    cpuRatio, underRetransmits, overRetransmits);
        }
    }

    /** overlaynet's defaults with containers on veth + bridge, in the same rounds as the headline. */
    private static final Setting BRIDGE_ROW = Setting.labDefault(
            "containers on veth + bridge (--attach bridge), otherwise the defaults");
    private static final Setting FLANNEL_ROW = Setting.labDefault(
            "flannel-style by iproute2: VXLAN device + routes, routed veths, no bridge").on(Layout.FLANNEL).withKernelMss();

    /**
     * The rows that change a device option or the containers' routes run on the lab's own network, whose
     * containers are on veth + bridge (vxlan1 is made again for the checksum rows, which a macvlan child
     * would not survive); the defaults run on a second network attached by macvlan, as overlaynet's are.
     */
    private static final List<Setting> SETTINGS = List.of(
            // The hand-built row: first (overHandBuilt reads it there).
            new Setting("hand-built defaults: veth + bridge, outer UDP checksums, netfilter hooks, the kernel's MSS", true,
                    true, true).withKernelMss(),
            Setting.labDefault("veth + bridge, the kernel's TCP MSS in the containers (1398-byte segments)")
                    .withKernelMss(),
            new Setting("veth + bridge, outer UDP checksums on (the kernel's default)", false, false, true),
            new Setting("veth + bridge in the walkthroughs' underlay: hooks on at the underlay bridge only", false, true,
                    false),
            Setting.labDefault("veth + bridge, TCP congestion control cubic on both paths (iperf3 -C cubic)")
                    .iperf("-C", "cubic"),
            Setting.labDefault("veth + bridge, GRO off on vxlan1").offloadOff(Offload.VXLAN_GRO),
            Setting.labDefault("veth + bridge, VXLAN segmentation offload off on the hosts' eth1")
                    .offloadOff(Offload.UNDERLAY_TUNNEL_GSO),
            Setting.labDefault("veth + bridge, 2 TCP streams at once on both paths (iperf3 -P 2)").iperf("-P", "2"),
            Setting.labDefault("veth + bridge, congestion control cubic on both paths' routes (congctl: never paced)")
                    .routeCongestionControl("cubic"),
            BRIDGE_ROW,
            FLANNEL_ROW,
            // The allow-list's cost: second to last, so allowListCost finds it there.
            Setting.labDefault("overlaynet defaults without the VTEP allow-list (its rules out)").withoutAllowList()
                    .on(Layout.MACVLAN),
            // The headline: last, and named so.
            Setting.labDefault("overlaynet defaults (macvlan, no outer checksum, no hooks) on the lab underlay")
                    .on(Layout.MACVLAN));

    public Figures run() {
        out.printf("overlaynet bench throughput: iperf3 TCP, %d rounds x %d s (after %d s left out) per path and setting%s,"
                + " 2 lab hosts; host TCP congestion control: %s%n", rounds, seconds, omit,
                headlineOnly() ? "" : " (the headline twice)", hostCongestionControl());
        Map<Setting, List<Pair>> results;
        try (Scratch scratch = new Scratch("tp")) {
            Lab lab = new Lab(scratch.prefix() + "-", scratch.dir(), out).attachedBy(Attach.BRIDGE);
            LabRecord rec = lab.up(2, new Mode.Static());
            try {
                targets.put(Layout.MACVLAN, macvlanNetwork(rec, scratch.dir()));
                if (!headlineOnly()) {
                    targets.put(Layout.FLANNEL, flannelLayout(rec));
                }
                results = measure(rec, scratch.dir());
            } finally {
                lab.down();
            }
        }
        // Encryption is the agents' (--encrypt): its rounds run on a lab of agents of its own, after the others.
        List<Pair> encrypted = headlineOnly() ? List.of() : measureEncrypted();
        List<Summary> rows = settings.stream().map(s -> Summary.of(s, results.get(s))).toList();
        out.println();
        out.printf("%-78s %8s %8s %6s %6s %s%n", "setting (medians over its runs; ratio: of the runs' own ratios)",
                "underlay", "overlay", "ratio", "CPU/GB", "retransmits u/o");
        rows.forEach(r -> out.println(r.row()));
        Optional<Summary> wg = encrypted.isEmpty() ? Optional.empty() : Optional.of(Summary.of(ENCRYPTED, encrypted));
        wg.ifPresent(w -> out.println("\nencrypted (agents --encrypt, WireGuard: wireguard-go, userspace; this kernel has "
                + "no WireGuard module), its own lab, the same iperf3 runs:\n" + w.row()));
        out.println("""
                CPU/GB: the whole machine's busy CPU time per GB sent on the overlay, over the same on the underlay
                (the median of the runs' own). While the underlay keeps every CPU busy the ratio cannot exceed
                its inverse; it can only where the underlay leaves CPU idle.""");
        out.println(headlineOnly() ? """
                Only the headline ran (--headline-only). Without it the bench also runs the hand-built defaults and
                each setting tried, and says what each gave.""" : """
                Outer UDP checksums are the kernel's default, so the walkthroughs pay for them; overlaynet sends zero
                (RFC 7348) unless 'network create --udp-csum' asks: the checksum row measures that choice.
                overlaynet's containers advertise an MSS that makes 1392-byte segments where the kernel's makes
                1398: the kernel's MSS row measures that. The hand-built row has both, and the bridge netfilter hooks
                on. The GRO and segmentation rows turn one offload off for their runs only. The overlay's extra
                cost is per packet on the sending CPU, so two streams, one per vCPU here, hide more of it than
                one; and iperf3's 128 KiB writes each leave a small tail packet, which the lab's veths send at
                once where a NIC, holding packets until they are sent, would let TCP's autocorking merge it into
                the next. Also tried by hand, not run here (figures in docs/dataplane.md): GRO on the veths,
                threaded NAPI on vxlan1 and on the endpoint veths, iperf3 pinned to one CPU and to separate CPUs,
                BIG TCP on the overlay devices (VXLAN loses the frames), RPS on the endpoint and underlay veths
                (it ends the reordering behind most retransmits, not the cost), RFS on the endpoint veths, a tc-
                BPF fast path past the overlay bridges (bpf_redirect_peer into the container); the fq qdisc is not
                in this kernel. None raised the ratio beyond the noise. The containers' advmss did, by a few
                percent in paired overlay-only runs: less than five rounds of this bench can tell apart. The last
                row, overlaynet's defaults with the host's own congestion control, is the headline; it runs first
                and last in every round. '--headline-only' runs it alone, for more rounds.""");
        if (!headlineOnly()) {
            out.println("""
                    overlay_vs_underlay_over_handbuilt: the headline's ratio over the hand-built row's ratio, round by round,
                    each overlay against its own underlay run: what overlaynet's defaults gain on the walkthroughs' overlay.
                    allow_list_cost_pct: how much lower the headline's ratio is than the row without the VTEP allow-list,
                    round by round (negative: the allow-list's row was the faster; within the noise).
                    bridge_* and flannel_style_*: those rows' ratios, and their ratio over the headline's, round by
                    round (above 1: that layout carried more than overlaynet's default, macvlan).
                    unpaced_overlay_vs_underlay: the congctl row's ratio. A socket that starts with bbr paces its
                    packets itself (this kernel has no fq qdisc) and keeps pacing when iperf3 -C switches it to cubic;
                    one whose route names cubic never paces, and both paths then run several times faster, the
                    overlay's share lower: its cost per packet shows once pacing no longer sets the rate.""");
        }
        out.println();
        Figures figures = new Figures(out);
        if (!headlineOnly()) {
            figures.add("overlay_vs_underlay_over_handbuilt", overHandBuilt(results), "%.2f");
            figures.add("allow_list_cost_pct", allowListCost(results), "%.1f");
            settings.stream().filter(x -> x.routeCc().isPresent()).findFirst().ifPresent(row ->
                    figures.add("unpaced_overlay_vs_underlay", Summary.of(row, results.get(row)).ratio(), "%.2f"));
            for (Setting row : List.of(BRIDGE_ROW, FLANNEL_ROW)) {
                String name = row == BRIDGE_ROW ? "bridge" : "flannel_style";
                figures.add(name + "_vs_underlay", Summary.of(row, results.get(row)).ratio(), "%.2f");
                figures.add(name + "_over_default", overHeadline(results, row), "%.2f");
            }
            wg.ifPresent(w -> figures.add("encrypted_vs_underlay", w.ratio(), "%.2f"));
        }
        return figures.add("overlay_cpu_per_gb_vs_underlay", rows.getLast().cpuRatio(), "%.2f")
                .add("overlay_vs_underlay", rows.getLast().ratio(), "%.2f");
    }

    /** Whether only the headline runs ({@code --headline-only}): no hand-built row, and one run a round. */
    private boolean headlineOnly() {
        return settings.size() == 1;
    }

    /**
     * The median over the rounds of a row's ratio over the headline's in the same round (the mean of its
     * two runs there): above 1, that layout carried more of the underlay than overlaynet's default.
     */
    private double overHeadline(Map<Setting, List<Pair>> results, Setting row) {
        List<Pair> headline = results.get(settings.getLast());
        List<Pair> other = results.get(row);
        List<Double> perRound = new ArrayList<>();
        for (int r = 0; r < other.size(); r++) {
            perRound.add(other.get(r).ratio() / ((headline.get(2 * r).ratio() + headline.get(2 * r + 1).ratio()) / 2));
        }
        return Stats.median(perRound);
    }

    /** The median over the rounds of (ratio without the allow-list - the headline's) / ratio without, in percent. */
    private double allowListCost(Map<Setting, List<Pair>> results) {
        List<Pair> headline = results.get(settings.getLast());
        List<Pair> open = results.get(settings.get(settings.size() - 2));
        List<Double> perRound = new ArrayList<>();
        for (int r = 0; r < open.size(); r++) {
            double ours = (headline.get(2 * r).ratio() + headline.get(2 * r + 1).ratio()) / 2;
            perRound.add((open.get(r).ratio() - ours) / open.get(r).ratio() * 100);
        }
        return Stats.median(perRound);
    }

    /**
     * The median over the rounds of the headline's ratio (the mean of its two runs in the round, which
     * {@link #measure} records in order) over the walkthroughs' ratio in the same round, so that the machine's
     * drift between rounds falls on both alike.
     */
    private double overHandBuilt(Map<Setting, List<Pair>> results) {
        List<Pair> headline = results.get(settings.getLast());
        List<Pair> handBuilt = results.get(settings.getFirst());
        List<Double> perRound = new ArrayList<>();
        for (int r = 0; r < handBuilt.size(); r++) {
            double ours = (headline.get(2 * r).ratio() + headline.get(2 * r + 1).ratio()) / 2;
            perRound.add(ours / handBuilt.get(r).ratio());
        }
        return Stats.median(perRound);
    }

    /**
     * VXLAN's UDP checksum setting cannot be changed on a live device: make vxlan1 again in every host's
     * overlay namespace with the kernel's own record of its options, the checksum flag changed, and put
     * the peers' entries back.
     */
    private static void recreateVxlan(LabRecord rec, Path stateRoot, boolean udpCsum) {
        for (LabHost h : rec.hosts()) {
            try (Host host = Host.open(h.nsPrefix(), stateRoot, Optional.of(h.namespace()))) {
                Networks networks = new Networks(host);
                NetworkRecord net = networks.get(Lab.NETWORK);
                Overlay o = host.overlay(net);
                VxlanSpec spec = o.rtnl().links().get(o.vxlan()).vxlan().orElseThrow().udpCsum(udpCsum);
                o.rtnl().links().delete(o.vxlan());
                try (NetNs ns = NetNs.named(net.overlayNamespace())) {
                    networks.addVxlan(ns, o.rtnl(), spec, net.vni(), net.mtu());
                }
                Peers peers = new Peers(host);
                for (PeerRecord p : peers.list(Optional.of(Lab.NETWORK))) {
                    peers.addEndpoint(Lab.NETWORK, Ip.parse(p.ip().orElseThrow()), p.mac().map(MacAddress::parse),
                            Ip.parse(p.vtep()));
                }
            }
        }
    }

    /**
     * The measured containers' two routes as attach makes them (with the network's advmss) or as the
     * kernel and a plain {@code ip route add default via} would (without).
     */
    private static void setContainerRoutes(LabRecord rec, Path stateRoot, boolean advmss, Optional<String> cc) {
        for (LabHost h : rec.hosts()) {
            NetworkConfig net;
            try (Host host = Host.open(h.nsPrefix(), stateRoot, Optional.of(h.namespace()))) {
                net = NetworkConfig.of(new Networks(host).get(Lab.NETWORK));
            }
            LabRecord.Container c = h.containers().getFirst();
            try (NetNs ns = NetNs.named(c.namespace()); Rtnl rt = Rtnl.open(ns)) {
                int eth0 = rt.links().index(Endpoints.CONTAINER_IF);
                IpPrefix address = new IpPrefix(Ip.parse(c.ip()), net.subnet().length());
                Route subnet = Endpoints.subnetRoute(net, address, eth0, advmss);
                Route viaGateway = Endpoints.defaultRoute(net, eth0, advmss);
                rt.routes().replace(cc.map(subnet::withCongestionControl).orElse(subnet));
                rt.routes().replace(cc.map(viaGateway::withCongestionControl).orElse(viaGateway));
            }
        }
    }

    /** The hosts' routes to the underlay subnet as the kernel made them, with {@code cc} on them when given. */
    private static void setUnderlayRoutes(LabRecord rec, Optional<String> cc) {
        for (LabHost h : rec.hosts()) {
            try (NetNs ns = NetNs.named(h.namespace()); Rtnl rt = Rtnl.open(ns)) {
                IpPrefix address = new IpPrefix(Ip.parse(h.address()), Lab.UNDERLAY.length());
                Route r = Route.ofAddress(address, rt.links().index(Lab.HOST_IF));
                rt.routes().replace(cc.map(r::withCongestionControl).orElse(r));
            }
        }
    }

    /**
     * Rounds outside, settings inside: the machine's drift over minutes then falls on every setting alike
     * instead of on whichever setting ran last. The headline runs twice a round, first and last, so its
     * figure rests on twice the rounds of any other row and on no one place in the order. Prints each
     * round's ratios as it goes.
     */
    private Map<Setting, List<Pair>> measure(LabRecord rec, Path stateRoot) {
        Map<Setting, List<Pair>> results = new LinkedHashMap<>();
        settings.forEach(s -> results.put(s, new ArrayList<>()));
        List<Setting> order = new ArrayList<>(settings);
        if (!headlineOnly()) {
            order.addFirst(settings.getLast());
        }
        boolean csum = false;
        boolean kernelMss = false;
        boolean open = false;
        Optional<String> cc = Optional.empty();
        for (int r = 0; r < rounds; r++) {
            StringBuilder ratios = new StringBuilder();
            for (Setting s : order) {
                if (s.openVteps() != open) {
                    setAllowList(rec, stateRoot, !s.openVteps());
                    open = s.openVteps();
                }
                if (s.udpCsum() != csum) {
                    recreateVxlan(rec, stateRoot, s.udpCsum());
                    csum = s.udpCsum();
                }
                if (s.kernelMss() != kernelMss || !s.routeCc().equals(cc)) {
                    setContainerRoutes(rec, stateRoot, !s.kernelMss(), s.routeCc());
                    setUnderlayRoutes(rec, s.routeCc());
                    kernelMss = s.kernelMss();
                    cc = s.routeCc();
                }
                apply(rec, s);
                Pair p = measureOne(rec, s, r % 2 == 0);
                results.get(s).add(p);
                ratios.append(String.format(" %.2f", p.ratio()));
            }
            out.printf("  round %d/%d, overlay/underlay per run%s:%s%n", r + 1, rounds,
                    order.size() > 1 ? " (the headline first and last)" : "", ratios);
        }
        return results;
    }

    /** Both paths under one setting, its offload off for just these runs; which goes first alternates by round. */
    private Pair measureOne(LabRecord rec, Setting s, boolean underlayFirst) {
        s.offload().set(rec, false);
        try {
            if (underlayFirst) {
                Run u = underlay(rec, s);
                return new Pair(u, overlay(rec, s));
            }
            Run o = overlay(rec, s);
            return new Pair(underlay(rec, s), o);
        } finally {
            s.offload().set(rec, true);
        }
    }

    private Run underlay(LabRecord rec, Setting s) {
        return iperf(rec.hosts().get(1).namespace(), rec.hosts().get(1).address(), rec.hosts().get(0).namespace(), s);
    }

    private Run overlay(LabRecord rec, Setting s) {
        // The bridge rows measure the lab's own containers (of whichever lab rec is).
        List<Target> t = targets.getOrDefault(s.layout(), List.of());
        if (t.size() < 2) {
            return iperf(container(rec.hosts().get(1)), rec.hosts().get(1).containers().getFirst().ip(),
                    container(rec.hosts().get(0)), s);
        }
        return iperf(t.get(1).namespace(), t.get(1).ip(), t.get(0).namespace(), s);
    }

    /**
     * A second network on both lab hosts, attached by macvlan, with one container each and each the
     * other's peer: the lab's hosts, underlay and VTEPs, another VNI.
     */
    private static List<Target> macvlanNetwork(LabRecord rec, Path stateRoot) {
        List<Target> out = new ArrayList<>();
        List<LabHost> hosts = rec.hosts();
        for (int i = 0; i < hosts.size(); i++) {
            LabHost h = hosts.get(i);
            try (Host host = Host.open(h.nsPrefix(), stateRoot, Optional.of(h.namespace()))) {
                new Networks(host).create(new NetworkConfig(MACVLAN_NETWORK, MACVLAN_VNI, MACVLAN_SUBNET,
                        MACVLAN_SUBNET.addressAt(1), Lab.MTU, NetworkConfig.DEFAULT_PORT, new Mode.Static(), Optional.empty(),
                        false).attachedBy(Attach.MACVLAN), Optional.of(Lab.HOST_IF));
                var e = new Endpoints(host).add(new Endpoints.Request(MACVLAN_NETWORK, "mvns",
                        MACVLAN_SUBNET.addressAt(10 + i), Optional.empty(), Optional.empty())).record();
                out.add(new Target(e.namespace(), e.ip()));
            }
        }
        for (int i = 0; i < hosts.size(); i++) {
            try (Host host = Host.open(hosts.get(i).nsPrefix(), stateRoot, Optional.of(hosts.get(i).namespace()))) {
                for (int j = 0; j < hosts.size(); j++) {
                    if (j != i) {
                        new Peers(host).addEndpoint(MACVLAN_NETWORK, Ip.parse(out.get(j).ip()), Optional.empty(),
                                Ip.parse(hosts.get(j).address()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * flannel's layout in each lab host's namespace, by iproute2 (the reference, so not overlaynet's code):
     * flannel.1 with 10.244.N.0/32 and a fixed MAC, a container namespace on a veth routed through the host
     * (10.244.N.2/24, gateway 10.244.N.1 on the host end), and per other host: its subnet via its
     * flannel.1 address onlink, that address's neighbour entry and the MAC's FDB entry to its VTEP. The
     * container namespaces carry the lab host's prefix, so 'lab down' takes them.
     */
    private static List<Target> flannelLayout(LabRecord rec) {
        List<Target> out = new ArrayList<>();
        List<LabHost> hosts = rec.hosts();
        for (int i = 0; i < hosts.size(); i++) {
            LabHost h = hosts.get(i);
            String n = h.namespace();
            String ctr = n + "-flns";
            int k = i + 1;
            try (NetNs ns = NetNs.named(n); Rtnl rt = Rtnl.open(ns)) {
                rt.sysctl().set("net.ipv4.ip_forward", "1");
            }
            Commands.run(List.of("ip", "-n", n, "link", "add", "flannel.1", "mtu", "" + Lab.MTU, "address",
                    flannelMac(k), "type", "vxlan", "id", "" + FLANNEL_VNI, "dstport", "" + FLANNEL_PORT, "local",
                    h.address(), "dev", Lab.HOST_IF, "nolearning", "noudpcsum"));
            Commands.run(List.of("ip", "-n", n, "addr", "add", "10.244." + k + ".0/32", "dev", "flannel.1"));
            Commands.run(List.of("ip", "-n", n, "link", "set", "flannel.1", "up"));
            Commands.run(List.of("ip", "netns", "add", ctr));
            Commands.run(List.of("ip", "-n", n, "link", "add", "flveth", "mtu", "" + Lab.MTU, "type", "veth", "peer",
                    "name", "eth0", "netns", ctr));
            Commands.run(List.of("ip", "-n", n, "addr", "add", "10.244." + k + ".1/24", "dev", "flveth"));
            Commands.run(List.of("ip", "-n", n, "link", "set", "flveth", "up"));
            Commands.run(List.of("ip", "-n", ctr, "link", "set", "lo", "up"));
            Commands.run(List.of("ip", "-n", ctr, "addr", "add", "10.244." + k + ".2/24", "dev", "eth0"));
            Commands.run(List.of("ip", "-n", ctr, "link", "set", "eth0", "up"));
            Commands.run(List.of("ip", "-n", ctr, "route", "add", "default", "via", "10.244." + k + ".1"));
            out.add(new Target(ctr, "10.244." + k + ".2"));
        }
        for (int i = 0; i < hosts.size(); i++) {
            String n = hosts.get(i).namespace();
            for (int j = 0; j < hosts.size(); j++) {
                if (j == i) {
                    continue;
                }
                int k = j + 1;
                Commands.run(List.of("ip", "-n", n, "neigh", "add", "10.244." + k + ".0", "lladdr", flannelMac(k), "dev",
                        "flannel.1", "nud", "permanent"));
                Commands.run(List.of("bridge", "-n", n, "fdb", "add", flannelMac(k), "dev", "flannel.1", "dst",
                        hosts.get(j).address(), "self", "permanent"));
                Commands.run(List.of("ip", "-n", n, "route", "add", "10.244." + k + ".0/24", "via", "10.244." + k + ".0",
                        "dev", "flannel.1", "onlink"));
            }
        }
        return out;
    }

    private static String flannelMac(int host) {
        return String.format("02:44:00:00:00:%02x", host);
    }

    private static String container(LabHost h) {
        return h.containers().getFirst().namespace();
    }

    private static final Setting ENCRYPTED = Setting.labDefault("overlaynet defaults with agents --encrypt (VXLAN in WireGuard)");

    /** The rounds of the encrypted network: two lab hosts with agents that encrypt, a file store. */
    private List<Pair> measureEncrypted() {
        List<Pair> pairs = new ArrayList<>();
        try (Scratch scratch = new Scratch("tw")) {
            Lab lab = new Lab(scratch.prefix() + "-", scratch.dir(), out).withEncryption();
            LabRecord rec = lab.upWithAgents(2, false, "file");
            try {
                StringBuilder ratios = new StringBuilder();
                for (int r = 0; r < rounds; r++) {
                    Pair p = measureOne(rec, ENCRYPTED, r % 2 == 0);
                    pairs.add(p);
                    ratios.append(String.format(" %.2f", p.ratio()));
                }
                out.printf("  encrypted, overlay/underlay per round:%s%n", ratios);
            } finally {
                lab.down();
            }
        }
        return pairs;
    }

    /** The allow-list's rules in (rewritten from the hosts' records) or out, on both lab hosts. */
    private static void setAllowList(LabRecord rec, Path stateRoot, boolean on) {
        for (LabHost h : rec.hosts()) {
            try (Host host = Host.open(h.nsPrefix(), stateRoot, Optional.of(h.namespace()))) {
                if (on) {
                    AllowList.resync(host);
                } else {
                    AllowList.suspend(host);
                }
            }
        }
    }

    private void apply(LabRecord rec, Setting s) {
        for (LabHost h : rec.hosts()) {
            try (NetNs ns = NetNs.named(h.overlayNamespace()); Rtnl rt = Rtnl.open(ns)) {
                BridgeNetfilter.set(rt, s.overlayHooks());
            }
        }
        try (NetNs ns = NetNs.named(rec.underlayNamespace()); Rtnl rt = Rtnl.open(ns)) {
            BridgeNetfilter.set(rt, s.underlayHooks());
        }
    }

    private static String hostCongestionControl() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_congestion_control")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Everything the client sent over the run, the intervals left out of the result ({@code -O}) included,
     * since the CPU ticks cover the whole run.
     */
    private static double bytesSent(JsonNode iperf) {
        double bytes = 0;
        for (JsonNode interval : iperf.path("intervals")) {
            bytes += interval.at("/sum/bytes").asDouble();
        }
        if (bytes <= 0) {
            throw new IllegalStateException("iperf3 reported no intervals: " + iperf.path("error").asText());
        }
        return bytes;
    }

    /** One iperf3 run: server in {@code serverNs} (one-off), client in {@code clientNs}, as the setting says. */
    private Run iperf(String serverNs, String serverIp, String clientNs, Setting s) {
        Process server = null;
        try {
            server = new ProcessBuilder("ip", "netns", "exec", serverNs, "iperf3", "-s", "-1", "-p",
                    Integer.toString(PORT)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // The server needs a moment to listen: retry the client until it connects.
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", clientNs, "iperf3", "-c", serverIp,
                            "-p", Integer.toString(PORT), "-t", Integer.toString(seconds), "-O", Integer.toString(omit), "-J"));
                    cmd.addAll(s.iperfArgs());
                    long ticks0 = MachineCpu.busyTicks();
                    String json = Commands.run(cmd);
                    long ticks = MachineCpu.busyTicks() - ticks0;
                    JsonNode n = LocalState.JSON.readTree(json);
                    JsonNode bps = n.at("/end/sum_received/bits_per_second");
                    if (bps.isMissingNode() || bps.asDouble() <= 0) {
                        throw new IllegalStateException("iperf3 gave no result: " + n.path("error").asText(json));
                    }
                    return new Run(bps.asDouble() / 1e9, n.at("/end/sum_sent/retransmits").asLong(),
                            ticks / (bytesSent(n) / 1e9));
                } catch (IllegalStateException e) {
                    last = e;
                    Thread.sleep(100);
                }
            }
            throw last;
        } catch (IOException e) {
            throw new IllegalStateException("iperf3 failed: " + e.getMessage() + " (install iperf3)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (server != null) {
                server.destroy();
                try {
                    server.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
