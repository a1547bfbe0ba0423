package io.overlaynet.bench;

import io.overlaynet.dataplane.Attach;
import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.NetworkConfig;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.netlink.netns.NetNamespaces;
import io.overlaynet.netlink.rtnl.IpPrefix;

import java.io.PrintStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code overlaynet bench attach}: time per endpoint attach (namespace, interface, MAC, MTU, IP, up,
 * default route) through the data plane as overlaynet's defaults attach (a macvlan child of vxlan1),
 * against the walkthroughs' container script (veth + bridge, one iproute2 process per command), on the
 * same simulated host in the same invocation.
 */
public final class AttachBench {
    private static final IpPrefix SUBNET = IpPrefix.parse("10.200.0.0/16");
    /** The walkthroughs' script's network: its containers on veth + bridge, as the script makes them. */
    private static final IpPrefix SCRIPT_SUBNET = IpPrefix.parse("10.201.0.0/16");
    /** Addresses for the JIT warm-up's endpoints, clear of the timed ones. */
    private static final int JIT_BASE = 30_000;
    private final int endpoints;
    private final int warmup;
    private final int jitWarmup;
    private final PrintStream out;

    public AttachBench(int endpoints, int warmup, int jitWarmup, PrintStream out) {
        this.endpoints = endpoints;
        this.warmup = warmup;
        this.jitWarmup = jitWarmup;
        this.out = out;
    }

    public Figures run() {
        out.printf("overlaynet bench attach: %d endpoints each way on one simulated host, after %d untimed attach+remove"
                + " cycles of ours (JIT warm-up) and %d untimed attaches each way%n", endpoints, jitWarmup, warmup);
        List<Double> ours = new ArrayList<>();
        List<Double> walkthroughs = new ArrayList<>();
        try (Scratch scratch = new Scratch("at")) {
            Lab lab = new Lab(scratch.prefix() + "-", scratch.dir(), out);
            LabRecord rec = lab.up(1, new Mode.Static());
            try {
                LabRecord.LabHost h = rec.hosts().getFirst();
                try (Host host = Host.open(h.nsPrefix(), scratch.dir(), Optional.of(h.namespace()))) {
                    // Ours attach as overlaynet's defaults do (macvlan); the script attaches its way, on a bridge.
                    new Networks(host).create(new NetworkConfig("bench", 4242, SUBNET, SUBNET.addressAt(1), 1450, 4789,
                            new Mode.Static(), Optional.empty(), false).attachedBy(Attach.DEFAULT), Optional.of("eth1"));
                    new Networks(host).create(new NetworkConfig("script", 4243, SCRIPT_SUBNET, SCRIPT_SUBNET.addressAt(1),
                            1450, 4789, new Mode.Static(), Optional.empty(), false).attachedBy(Attach.BRIDGE),
                            Optional.of("eth1"));
                    String ovl = host.overlayNamespace("script");
                    Endpoints eps = new Endpoints(host);
                    // The data plane is Java: until the JIT has compiled its path an attach runs ~1.5 ms
                    // slower here. A long-running process (the agent, the lab) runs it compiled; the
                    // script's processes have nothing to warm. Each cycle removes what it made.
                    for (int i = 0; i < jitWarmup; i++) {
                        eps.add(new Endpoints.Request("bench", "j" + i, SUBNET.addressAt(JIT_BASE + i), Optional.empty(),
                                Optional.empty()));
                        eps.remove("bench", "j" + i);
                    }
                    // Alternating, so both sides see the same machine; the first `warmup` of each are not timed.
                    int total = warmup + endpoints;
                    for (int i = 0; i < total; i++) {
                        InetAddress ip = SUBNET.addressAt(10 + i);
                        long t0 = System.nanoTime();
                        eps.add(new Endpoints.Request("bench", "o" + i, ip, Optional.empty(), Optional.empty()));
                        double o = (System.nanoTime() - t0) / 1e6;
                        long t1 = System.nanoTime();
                        handBuiltScript(h.nsPrefix() + "s" + i, ovl, "vs" + i, SCRIPT_SUBNET.addressAt(10 + i));
                        double s = (System.nanoTime() - t1) / 1e6;
                        if (i >= warmup) {
                            ours.add(o);
                            walkthroughs.add(s);
                        }
                    }
                    for (int i = 0; i < total; i++) {
                        NetNamespaces.deleteIfExists(h.nsPrefix() + "s" + i);
                    }
                }
            } finally {
                lab.down();
            }
        }
        double o = Stats.median(ours);
        double s = Stats.median(walkthroughs);
        out.println();
        out.printf("%-40s %10s %10s%n", "per endpoint, ms (median)", "overlaynet", "ip script");
        out.printf("%-40s %10.2f %10.2f%n", "attach: netns+link+MAC+MTU+IP+up+route", o, s);
        out.printf("%-40s %10.2f %10.2f%n", "p90", Stats.percentile(ours, 90), Stats.percentile(walkthroughs, 90));
        out.println();
        return new Figures(out).add("attach_speedup_vs_iproute2", s / o, "%.1f");
    }

    /** The walkthroughs' container script: one ip process per step. */
    private static void handBuiltScript(String ns, String ovl, String veth, InetAddress ip) {
        String mac = Endpoints.macFor(ip).toString();
        Commands.run("ip", "netns", "add", ns);
        Commands.run("ip", "-n", ovl, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Commands.run("ip", "-n", ovl, "link", "set", veth, "mtu", "1450", "master", "br0", "up");
        Commands.run("ip", "-n", ns, "link", "set", "dev", "eth0", "address", mac);
        Commands.run("ip", "-n", ns, "link", "set", "dev", "eth0", "mtu", "1450");
        Commands.run("ip", "-n", ns, "addr", "add", ip.getHostAddress() + "/" + SCRIPT_SUBNET.length(), "dev", "eth0");
        Commands.run("ip", "-n", ns, "link", "set", "eth0", "up");
        Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
        Commands.run("ip", "-n", ns, "route", "add", "default", "via", SCRIPT_SUBNET.addressAt(1).getHostAddress());
    }

}
