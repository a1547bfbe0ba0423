package io.overlaynet.cli;

import io.overlaynet.bench.NetlinkBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code overlaynet bench ...}: measurements that run their reference in the same invocation. */
@Command(name = "bench", description = "Measure overlaynet against its reference (iproute2, the seeds' scripts).",
        mixinStandardHelpOptions = true, subcommands = {BenchCommand.Netlink.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "netlink", mixinStandardHelpOptions = true,
            description = {"Install N bridge FDB and N neighbour entries with the library and with "
                    + "'bridge -batch' / 'ip -batch' in fresh namespaces; time single request/ACK operations "
                    + "against one 'ip' process per operation.",
                "Ends with 'netlink_vs_iproute2_batch R' (library entries/s / iproute2 batch entries/s)."})
    static final class Netlink implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--entries", defaultValue = "10000", description = "FDB and neighbour entries each (default ${DEFAULT-VALUE}).")
        int entries;

        @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds; medians are reported (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--single-ops", defaultValue = "200", description = "Single request/ACK operations per side (default ${DEFAULT-VALUE}).")
        int singleOps;

        @Override
        public Integer call() {
            if (entries < 1 || entries > 1_000_000) {
                throw new IllegalArgumentException("--entries " + entries + " is out of range: use 1..1000000");
            }
            if (rounds < 1 || singleOps < 1) {
                throw new IllegalArgumentException("--rounds and --single-ops must be at least 1");
            }
            new NetlinkBench(entries, rounds, singleOps, System.out).run();
            return 0;
        }
    }
}
