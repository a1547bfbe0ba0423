package io.overlaynet.cli;

import io.overlaynet.bench.AttachBench;
import io.overlaynet.bench.ChurnBench;
import io.overlaynet.bench.CniBench;
import io.overlaynet.bench.ConvergeBench;
import io.overlaynet.bench.Figures;
import io.overlaynet.bench.FirstPacketBench;
import io.overlaynet.bench.NetlinkBench;
import io.overlaynet.bench.ScaleBench;
import io.overlaynet.bench.ThroughputBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code overlaynet bench ...}: measurements that run their reference in the same invocation. */
@Command(name = "bench", description = "Measure overlaynet against its reference (iproute2, the walkthroughs' scripts).",
        mixinStandardHelpOptions = true)
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "cli", mixinStandardHelpOptions = true,
            description = {"Start-up cost: wall time of the installed 'overlaynet network ls -o json' and '--version' against "
                    + "'podman network ls' and 'ip -j link show', in turns.",
                "Ends with 'cli_vs_podman R' (podman's median over ours for network ls)."})
    static final class Cli implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--runs", paramLabel = "N", defaultValue = "20", description = "Runs of each (default ${DEFAULT-VALUE}).")
        int runs;
        @Option(names = "--overlaynet", paramLabel = "PATH",
                description = "The overlaynet command to time (default: the one on PATH, as bin/install puts it).")
        Optional<Path> overlaynet;

        @Override
        public Integer call() {
            range("--runs", runs, 1, 1000);
            io.overlaynet.lab.Tools.require("podman", "podman", "bench cli");
            Path ours = overlaynet.map(Path::toAbsolutePath).orElseGet(() -> {
                Path p = io.overlaynet.lab.Tools.find("overlaynet");
                if (p == null) {
                    throw new IllegalStateException("bench cli times the installed overlaynet and none is on PATH: run "
                            + "bin/install, or give --overlaynet PATH");
                }
                return p;
            });
            return report(format, "cli", out -> new io.overlaynet.bench.CliBench(ours, runs, out).run());
        }
    }

    @Command(name = "netlink", mixinStandardHelpOptions = true,
            description = {"Install N bridge FDB and N neighbour entries with the library and with "
                    + "'bridge -batch' / 'ip -batch' in fresh namespaces; time single request/ACK operations "
                    + "against one 'ip' process per operation.",
                "Ends with 'netlink_vs_iproute2_batch R' (library entries/s / iproute2 batch entries/s)."})
    static final class Netlink implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--entries", paramLabel = "N",
                defaultValue = "10000", description = "FDB and neighbour entries each (default ${DEFAULT-VALUE}).")
        int entries;

        @Option(names = "--rounds", paramLabel = "N",
                defaultValue = "5", description = "Measured rounds; medians are reported (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--single-ops", paramLabel = "N",
                defaultValue = "200", description = "Single request/ACK operations per side (default ${DEFAULT-VALUE}).")
        int singleOps;

        @Override
        public Integer call() {
            range("--entries", entries, 1, 1_000_000);
            range("--rounds", rounds, 1, 100);
            range("--single-ops", singleOps, 1, 100_000);
            return report(format, "netlink", out -> new NetlinkBench(entries, rounds, singleOps, out).run());
        }
    }

    @Command(name = "attach", mixinStandardHelpOptions = true,
            description = {"Time per endpoint attach through the data plane vs the walkthroughs' script (one ip process per step).",
                "Ends with 'attach_speedup_vs_iproute2 R'."})
    static final class Attach implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--endpoints", paramLabel = "N",
                defaultValue = "100", description = "Endpoints per side (default ${DEFAULT-VALUE}).")
        int endpoints;

        @Option(names = "--warmup", paramLabel = "N", defaultValue = "20",
                description = "Untimed attaches each way after the JIT warm-up, so both sides start on the same machine state "
                        + "(default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--jit-warmup", paramLabel = "N", defaultValue = "300",
                description = "Untimed attach+remove cycles of ours first, so the JIT has compiled the data plane as in a "
                        + "long-running agent; 0 measures a JVM that has attached only --warmup endpoints "
                        + "(default ${DEFAULT-VALUE}).")
        int jitWarmup;

        @Override
        public Integer call() {
            range("--endpoints", endpoints, 1, 5000);
            range("--warmup", warmup, 0, 5000);
            range("--jit-warmup", jitWarmup, 0, 20_000);
            return report(format, "attach", out -> new AttachBench(endpoints, warmup, jitWarmup, out).run());
        }
    }

    @Command(name = "throughput", mixinStandardHelpOptions = true,
            description = {"iperf3 TCP container-to-container across two lab hosts vs host-to-host on the same underlay.",
                "Tries UDP checksum and offload settings; ends with 'overlay_vs_underlay R'."})
    static final class Throughput implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Rounds per setting (default ${DEFAULT-VALUE}).")
        int rounds;
        @Option(names = "--seconds", paramLabel = "SECONDS",
                defaultValue = "2", description = "Seconds per iperf3 run (default ${DEFAULT-VALUE}).")
        int seconds;
        @Option(names = "--omit", paramLabel = "SECONDS", defaultValue = "1",
                description = "Seconds of each run's start (TCP start-up) left out, iperf3 -O (default ${DEFAULT-VALUE}).")
        int omit;
        @Option(names = "--headline-only",
                description = "Run only overlaynet's defaults, not the hand-built row and the settings tried.")
        boolean headlineOnly;

        @Override
        public Integer call() {
            range("--rounds", rounds, 1, 100);
            range("--seconds", seconds, 1, 60);
            range("--omit", omit, 0, 60);
            io.overlaynet.lab.Tools.require("iperf3", "iperf3", "bench throughput");
            return report(format, "throughput",
                    out -> new ThroughputBench(rounds, seconds, omit, headlineOnly, out).run());
        }
    }

    /**
     * Runs a bench with its report on stdout; with {@code -o json} the report goes to stderr and stdout
     * gets one JSON object, {@code {"bench": NAME, "figures": {FIGURE: VALUE, ...}}}.
     */
    static int report(OutputFormat format, String bench, Function<PrintStream, Figures> run) {
        boolean json = format.json();
        Figures figures = run.apply(json ? System.err : System.out);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("bench", bench);
            doc.put("figures", figures.values());
            Out.json(doc);
        }
        return 0;
    }

    /** A one-line usage error when an option's value is outside min..max. */
    static void range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " " + value + " is out of range: use " + min + ".." + max);
        }
    }

    static String checkStore(String store) {
        if (!store.equals("file") && !store.equals("etcd")) {
            throw new IllegalArgumentException("unknown --store '" + store + "': use file or etcd");
        }
        if (store.equals("etcd")) {
            io.overlaynet.lab.Tools.require("etcd", "etcd-server", "--store etcd");
        }
        return store;
    }

    @Command(name = "first-packet", mixinStandardHelpOptions = true,
            description = {"RTT of the very first ping between two fresh containers on two lab hosts, and the steady RTT.",
                "Ends with 'first_packet_ms X' (median)."})
    static final class FirstPacket implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--mode", paramLabel = "MODE",
                defaultValue = "proactive", description = "proactive | reactive (default ${DEFAULT-VALUE}).")
        String mode;
        @Option(names = "--store", paramLabel = "STORE", defaultValue = "file", description = "file | etcd (default ${DEFAULT-VALUE}).")
        String store;
        @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Container pairs (default ${DEFAULT-VALUE}).")
        int rounds;

        @Override
        public Integer call() {
            boolean reactive = AgentCommand.reactiveMode(mode);
            range("--rounds", rounds, 1, 25);
            String kind = checkStore(store);
            return report(format, "first-packet", out -> new FirstPacketBench(reactive, kind, rounds, out).run());
        }
    }

    @Command(name = "converge", mixinStandardHelpOptions = true,
            description = {"Time from an endpoint's registration until its entries are in every other host's kernel.",
                "Ends with 'converge_p99_ms X'."})
    static final class Converge implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--hosts", paramLabel = "N", defaultValue = "10", description = "Lab hosts with agents (default ${DEFAULT-VALUE}).")
        int hosts;
        @Option(names = "--store", paramLabel = "STORE", defaultValue = "etcd", description = "file | etcd (default ${DEFAULT-VALUE}).")
        String store;
        @Option(names = "--endpoints", paramLabel = "N",
                defaultValue = "100", description = "Registrations measured (default ${DEFAULT-VALUE}).")
        int endpoints;

        @Override
        public Integer call() {
            range("--hosts", hosts, 2, 24);
            range("--endpoints", endpoints, 1, 1000);
            String kind = checkStore(store);
            return report(format, "converge", out -> new ConvergeBench(hosts, kind, endpoints, out).run());
        }
    }

    @Command(name = "cni", mixinStandardHelpOptions = true,
            description = {"ADD then DEL of N container namespaces through overlaynet-cni, called as a runtime calls it, "
                    + "against the reference bridge + host-local plugins called the same way, alternating.",
                "Ends with 'cni_del_vs_bridge_plugin R' and 'cni_add_vs_bridge_plugin R' (the reference's median over ours)."})
    static final class Cni implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--containers", paramLabel = "N", defaultValue = "50", description = "Containers (default ${DEFAULT-VALUE}).")
        int containers;
        @Option(names = "--plugin", paramLabel = "PATH",
                description = "overlaynet-cni to measure (default: the one in /opt/cni/bin or /usr/lib/cni).")
        Optional<Path> plugin;
        @Option(names = "--store", paramLabel = "STORE", defaultValue = "file", description = "file | etcd (default ${DEFAULT-VALUE}).")
        String store;
        @Option(names = "--podman-runs", paramLabel = "N", defaultValue = "10", description = {"podman run --rm IMAGE true "
                + "on overlaynet and on podman's default network, each (default ${DEFAULT-VALUE}; 0: none).",
            "Adds the figure 'podman_run_vs_default R' (podman's default network's median over ours)."})
        int podmanRuns;

        @Override
        public Integer call() {
            range("--containers", containers, 1, 500);
            range("--podman-runs", podmanRuns, 0, 100);
            String kind = checkStore(store);
            if (podmanRuns > 0) {
                io.overlaynet.lab.Tools.require("podman", "podman", "bench cni --podman-runs " + podmanRuns);
            }
            Path p = plugin.map(Path::toAbsolutePath).orElseGet(CniBench::installedPlugin);
            return report(format, "cni", out -> new CniBench(containers, p, kind, podmanRuns, out).run());
        }
    }

    @Command(name = "churn", mixinStandardHelpOptions = true,
            description = {"Endpoints moved between hosts, every other move with a new MAC (an IP reused), through the "
                    + "agents; time until every other host's kernel has the new location, and entries left stale.",
                "Ends with 'churn_p99_ms X' and 'churn_stale_entries N'."})
    static final class Churn implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--hosts", paramLabel = "N", defaultValue = "5", description = "Lab hosts with agents (default ${DEFAULT-VALUE}).")
        int hosts;
        @Option(names = "--moves", paramLabel = "N", defaultValue = "100", description = "Moves measured (default ${DEFAULT-VALUE}).")
        int moves;
        @Option(names = "--store", paramLabel = "STORE", defaultValue = "etcd", description = "file | etcd (default ${DEFAULT-VALUE}).")
        String store;

        @Override
        public Integer call() {
            range("--hosts", hosts, 2, 24);
            range("--moves", moves, 1, 1000);
            String kind = checkStore(store);
            return report(format, "churn", out -> new ChurnBench(hosts, moves, kind, out).run());
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = {"N remote endpoints appear in the store; time until one host's agent has programmed all, "
                    + "its RSS, and iproute2 -batch on the same entries.",
                "Ends with 'scale_vs_iproute2_batch R' and 'agent_rss_mb M'."})
    static final class Scale implements Callable<Integer> {
        @Mixin OutputFormat format;
        @Option(names = "--endpoints", paramLabel = "N",
                defaultValue = "10000", description = "Remote endpoints (default ${DEFAULT-VALUE}).")
        int endpoints;
        @Option(names = "--store", paramLabel = "STORE", defaultValue = "etcd", description = "file | etcd (default ${DEFAULT-VALUE}).")
        String store;
        @Option(names = "--hosts", paramLabel = "N", defaultValue = "1",
                description = "Remote hosts the endpoints are spread over, as records (default ${DEFAULT-VALUE}).")
        int hosts;

        @Override
        public Integer call() {
            range("--endpoints", endpoints, 1, 200_000);
            range("--hosts", hosts, 1, 10_000);
            String kind = checkStore(store);
            return report(format, "scale", out -> new ScaleBench(endpoints, hosts, kind, out).run());
        }
    }
}
