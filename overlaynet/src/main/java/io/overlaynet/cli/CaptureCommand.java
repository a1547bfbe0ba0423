package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.doctor.VxlanFrame;
import io.overlaynet.netlink.packet.PacketSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** {@code overlaynet capture}: VXLAN on the underlay, decoded, from a packet socket of our own. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"VXLAN datagrams on this host's underlay interface, decoded as the walkthroughs read tcpdump:",
            "outer source and destination, VNI and network, then the inner frame (ARP, ICMP, TCP, UDP).",
            "Needs no tcpdump. -o json: one object per line. Ends on Ctrl-C, or after --count frames."})
final class CaptureCommand implements java.util.concurrent.Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    @Mixin HostOptions host;
    @Option(names = "--network", paramLabel = "NAME", description = "Only this network's VNI.")
    Optional<String> network;
    @Option(names = "--vni", paramLabel = "VNI", description = "Only this VNI (any network, even one this host lacks).")
    Optional<Integer> vni;
    @Option(names = "--count", paramLabel = "K", description = "Stop after K frames (default: until Ctrl-C).")
    long count;
    @Option(names = "--dev", paramLabel = "DEV", description = "Underlay interface (default: the networks' underlay).")
    Optional<String> dev;
    @Option(names = "--port", paramLabel = "PORT", description = "VXLAN UDP port (default: the networks' ports, else 4789).")
    Optional<Integer> port;

    @Override
    public Integer call() throws Exception {
        boolean json = host.json();
        if (count < 0) {
            throw new IllegalArgumentException("--count " + count + " is negative: give the number of frames to wait for");
        }
        try (Host h = host.open()) {
            List<NetworkRecord> nets = new Networks(h).list();
            Optional<NetworkRecord> only = network.map(n -> nets.stream().filter(x -> x.name().equals(n)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no network " + n + " on this host: list them with "
                            + "'overlaynet network ls', or give --vni")));
            Optional<Integer> wantVni = only.map(NetworkRecord::vni).or(() -> vni);
            String device = dev.or(() -> only.map(NetworkRecord::underlay))
                    .or(() -> nets.stream().map(NetworkRecord::underlay).findFirst())
                    .orElseThrow(() -> new IllegalArgumentException("no network on this host to take the underlay from: "
                            + "give --dev (e.g. --dev eth0)"));
            int index = h.rtnl().links().find(device).orElseThrow(() -> new IllegalArgumentException("no interface "
                    + device + " on this host: give --dev with one 'ip link' lists")).index();
            Set<Integer> ports = port.map(Set::of).orElseGet(() -> {
                Set<Integer> s = nets.stream().map(NetworkRecord::port).collect(Collectors.toCollection(TreeSet::new));
                return s.isEmpty() ? Set.of(4789) : s;
            });
            Map<Integer, String> names = nets.stream().collect(Collectors.toMap(NetworkRecord::vni, NetworkRecord::name,
                    (a, b) -> a + "," + b));
            try (UntilInterrupted stop = new UntilInterrupted("capture");
                 PacketSocket socket = PacketSocket.open(h.namespace(), index, PacketSocket.ETH_P_ALL)) {
                {
                    (json ? System.err : System.out).println("capturing VXLAN (UDP " + ports.stream().map(String::valueOf)
                            .collect(Collectors.joining(",")) + ") on " + device + wantVni.map(v -> ", VNI " + v).orElse("")
                            + (count > 0 ? ", " + count + " frames" : "; Ctrl-C ends"));
                }
                long seen = 0;
                while (stop.running() && (count == 0 || seen < count)) {
                    Optional<byte[]> frame = socket.receive(Duration.ofMillis(200));
                    if (frame.isEmpty()) {
                        continue;
                    }
                    Optional<VxlanFrame> v = VxlanFrame.decode(frame.get(), ports)
                            .filter(x -> wantVni.map(w -> w == x.vni()).orElse(true));
                    if (v.isEmpty()) {
                        continue;
                    }
                    seen++;
                    String time = LocalTime.now().format(TIME);
                    String net = names.getOrDefault(v.get().vni(), "");
                    if (json) {
                        Map<String, Object> o = new LinkedHashMap<>();
                        o.put("time", time);
                        o.put("network", net.isEmpty() ? null : net);
                        o.put("frame", v.get());
                        Out.jsonLine(o);
                    } else {
                        System.out.println(v.get().text(time, net));
                    }
                }
            }
        }
        return 0;
    }
}
