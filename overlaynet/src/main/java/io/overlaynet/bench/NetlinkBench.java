package io.overlaynet.bench;

import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.netlink.rtnl.LinkKind;
import io.overlaynet.netlink.rtnl.LinkSpec;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.VxlanSpec;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.socket.Request;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code overlaynet bench netlink}: bulk FDB and neighbour programming with the library against
 * {@code bridge -batch} and {@code ip -batch} (the fastest iproute2 path), and single request/ACK
 * latency against one {@code ip} process per operation, all in one invocation on fresh namespaces.
 */
public final class NetlinkBench {
    private static final IpPrefix ENTRY_SPACE = IpPrefix.parse("10.0.0.0/8");
    private static final InetAddress VTEP = ipv4("192.168.104.3");

    private final int entries;
    private final int rounds;
    private final int singleOps;
    private final PrintStream out;

    public NetlinkBench(int entries, int rounds, int singleOps, PrintStream out) {
        this.entries = entries;
        this.rounds = rounds;
        this.singleOps = singleOps;
        this.out = out;
    }

    private record Round(double libFdbSec, double libNeighSec, double iprFdbSec, double iprNeighSec) {
    }

    public Figures run() {
        out.printf("overlaynet bench netlink: %d FDB + %d neighbour entries, %d rounds (+1 warm-up), fresh namespaces%n",
                entries, entries, rounds);
        List<Round> results = new ArrayList<>();
        double rss;
        double heap;
        List<Double> libSingle;
        List<Double> ipSingle;
        try (Scratch scratch = new Scratch("nl")) {
            round(scratch, Math.min(entries, 2000), 0);
            for (int r = 1; r <= rounds; r++) {
                Round res = round(scratch, entries, r);
                results.add(res);
                out.printf("  round %d: library %.0f entries/s, iproute2 batch %.0f entries/s%n", r,
                        2.0 * entries / (res.libFdbSec + res.libNeighSec), 2.0 * entries / (res.iprFdbSec + res.iprNeighSec));
            }
            heap = ProcessMemory.heapUsedMb();
            rss = ProcessMemory.selfRssMb();
            libSingle = new ArrayList<>();
            ipSingle = new ArrayList<>();
            singles(scratch, libSingle, ipSingle);
        }
        return report(results, libSingle, ipSingle, heap, rss);
    }

    /**
     * One round in fresh namespaces, the two sides in turn (the library first in even rounds, iproute2
     * first in odd ones). The namespaces stay until the end of the bench: the kernel tears a deleted
     * namespace down in the background, and 20,000 entries of it would slow whatever runs next (the
     * first bench measured the library's FDB adds at 0.58x iproute2's that way, where the two are level).
     */
    private Round round(Scratch scratch, int n, int r) {
        NetNs libNs = scratch.namespace("lib" + r);
        NetNs iprNs = scratch.namespace("ipr" + r);
        try (Rtnl lib = Rtnl.open(libNs); Rtnl ipr = Rtnl.open(iprNs)) {
            int libVx = overlay(lib);
            int iprVx = overlay(ipr);
            Path fdbFile = scratch.dir().resolve("fdb-" + r);
            Path neighFile = scratch.dir().resolve("neigh-" + r);
            writeBatchFiles(n, fdbFile, neighFile);
            String ns = iprNs.name().orElseThrow();
            double[] libSec;
            double[] iprSec;
            if (r % 2 == 0) {
                libSec = library(lib, libVx, n);
                iprSec = iproute2(ns, fdbFile, neighFile);
            } else {
                iprSec = iproute2(ns, fdbFile, neighFile);
                libSec = library(lib, libVx, n);
            }
            verify(lib, libVx, n, "library");
            verify(ipr, iprVx, n, "iproute2");
            return new Round(libSec[0], libSec[1], iprSec[0], iprSec[1]);
        }
    }

    /** The library: FDB entries, then neighbours, each kind as pipelined batches; seconds for each. */
    private static double[] library(Rtnl lib, int vx, int n) {
        long t0 = System.nanoTime();
        List<Request> fdb = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fdb.add(lib.fdb().addRequest(FdbEntry.toVtep(vx, mac(i), VTEP)));
        }
        check(lib.batch(fdb));
        long t1 = System.nanoTime();
        List<Request> neigh = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            neigh.add(lib.neighbours().addRequest(Neighbour.permanent(vx, ENTRY_SPACE.addressAt(i + 1), mac(i))));
        }
        check(lib.batch(neigh));
        long t2 = System.nanoTime();
        return new double[]{sec(t1 - t0), sec(t2 - t1)};
    }

    /** iproute2: the same entries through its batch mode, one process each; seconds for each. */
    private static double[] iproute2(String ns, Path fdbFile, Path neighFile) {
        long t3 = System.nanoTime();
        Commands.run("bridge", "-n", ns, "-batch", fdbFile.toString());
        long t4 = System.nanoTime();
        Commands.run("ip", "-n", ns, "-batch", neighFile.toString());
        long t5 = System.nanoTime();
        return new double[]{sec(t4 - t3), sec(t5 - t4)};
    }

    /** The walkthroughs' overlay: br0 with vxlan1 (VNI 42, port 4789, nolearning) as a port. */
    private static int overlay(Rtnl rt) {
        rt.links().add(LinkSpec.of("br0", LinkKind.Bridge.DEFAULT).up(true));
        rt.links().add(LinkSpec.of("vxlan1", VxlanSpec.of(42).port(4789).learning(false).proxy(true))
                .master(rt.links().index("br0")).up(true));
        return rt.links().index("vxlan1");
    }

    private void writeBatchFiles(int n, Path fdbFile, Path neighFile) {
        StringBuilder f = new StringBuilder(n * 64);
        StringBuilder g = new StringBuilder(n * 64);
        for (int i = 0; i < n; i++) {
            f.append("fdb add ").append(mac(i)).append(" dev vxlan1 dst 192.168.104.3 self permanent\n");
            g.append("neigh add ").append(ENTRY_SPACE.addressAt(i + 1).getHostAddress()).append(" lladdr ")
                    .append(mac(i)).append(" dev vxlan1 nud permanent\n");
        }
        try {
            Files.writeString(fdbFile, f);
            Files.writeString(neighFile, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void verify(Rtnl rt, int vx, int n, String who) {
        long fdb = rt.fdb().list(vx).stream().filter(e -> e.isPermanent() && !e.mac().isZero()
                && e.dst().isPresent()).count();
        long neigh = rt.neighbours().list(vx).stream().filter(Neighbour::isPermanent).count();
        if (fdb != n || neigh != n) {
            throw new IllegalStateException(who + " installed " + fdb + " FDB and " + neigh
                    + " neighbour entries, expected " + n + " each");
        }
    }

    private void singles(Scratch scratch, List<Double> lib, List<Double> ip) {
        NetNs ns = scratch.namespace("single");
        try (Rtnl rt = Rtnl.open(ns)) {
            int vx = overlay(rt);
            String name = ns.name().orElseThrow();
            for (int i = 0; i < singleOps; i++) {
                InetAddress a = ENTRY_SPACE.addressAt(i + 1);
                long t0 = System.nanoTime();
                rt.neighbours().replace(Neighbour.permanent(vx, a, mac(i)));
                lib.add((System.nanoTime() - t0) / 1e3);
            }
            for (int i = 0; i < singleOps; i++) {
                long t0 = System.nanoTime();
                Commands.run("ip", "-n", name, "neigh", "replace", ENTRY_SPACE.addressAt(i + 1).getHostAddress(),
                        "lladdr", mac(i + 1).toString(), "dev", "vxlan1", "nud", "permanent");
                ip.add((System.nanoTime() - t0) / 1e3);
            }
        } finally {
            scratch.remove(ns);
        }
    }

    private Figures report(List<Round> rs, List<Double> libSingle, List<Double> ipSingle, double heap, double rss) {
        double libFdb = entries / Stats.median(rs.stream().map(Round::libFdbSec).toList());
        double libNeigh = entries / Stats.median(rs.stream().map(Round::libNeighSec).toList());
        double iprFdb = entries / Stats.median(rs.stream().map(Round::iprFdbSec).toList());
        double iprNeigh = entries / Stats.median(rs.stream().map(Round::iprNeighSec).toList());
        double libAll = 2.0 * entries / Stats.median(rs.stream().map(x -> x.libFdbSec + x.libNeighSec).toList());
        double iprAll = 2.0 * entries / Stats.median(rs.stream().map(x -> x.iprFdbSec + x.iprNeighSec).toList());
        double libOp = Stats.median(libSingle);
        double ipOp = Stats.median(ipSingle);
        out.println();
        out.printf("%-34s %14s %16s %8s%n", "median of " + rs.size() + " rounds", "library", "iproute2", "ratio");
        out.printf("%-34s %14.0f %16.0f %7.2fx%n", "FDB add, entries/s (bridge -batch)", libFdb, iprFdb, libFdb / iprFdb);
        out.printf("%-34s %14.0f %16.0f %7.2fx%n", "neigh add, entries/s (ip -batch)", libNeigh, iprNeigh, libNeigh / iprNeigh);
        out.printf("%-34s %14.0f %16.0f %7.2fx%n", "all entries, entries/s", libAll, iprAll, libAll / iprAll);
        out.printf("%-34s %14.1f %16.1f %7.1fx%n", "single neigh replace, us (1 ip/op)", libOp, ipOp, ipOp / libOp);
        out.printf("%-34s %14.1f%n", "library JVM heap used, MiB", heap);
        out.printf("%-34s %14.1f%n", "library JVM RSS, MiB", rss);
        out.println();
        double fdbRatio = libFdb / iprFdb;
        double neighRatio = libNeigh / iprNeigh;
        return new Figures(out).add("fdb_vs_bridge_batch", fdbRatio, "%.2f").add("neigh_vs_ip_batch", neighRatio, "%.2f")
                .add("netlink_vs_iproute2_batch", Math.min(fdbRatio, neighRatio), "%.2f");
    }

    private static void check(BatchResult r) {
        r.throwIfFailed();
    }

    private static MacAddress mac(int i) {
        return new MacAddress(0x0242_0000_0000L + i + 1);
    }

    private static double sec(long nanos) {
        return nanos / 1e9;
    }

    private static InetAddress ipv4(String s) {
        return io.overlaynet.netlink.rtnl.Ip.parse(s);
    }
}
