package io.overlaynet.cli;

import io.overlaynet.dataplane.Host;
import io.overlaynet.doctor.Monitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Optional;

/** {@code overlaynet monitor}: live events of every overlay namespace on this host. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Live events from every overlay namespace on this host, like 'ip monitor neigh link' with names:",
            "ARP and FDB misses (who asked for what), neighbour and FDB entries added and removed, links up and down,",
            "each with its network and the endpoint it belongs to; an entry that answers a miss says so.",
            "-o json: one object per line. Ends on Ctrl-C, or after --count events."})
final class MonitorCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin HostOptions host;
    @Option(names = "--network", paramLabel = "NAME", description = "Only this network.")
    Optional<String> network;
    @Option(names = "--count", paramLabel = "K", description = "Stop after K events (default: until Ctrl-C).")
    long count;

    @Override
    public Integer call() throws Exception {
        boolean json = host.json();
        if (count < 0) {
            throw new IllegalArgumentException("--count " + count + " is negative: give the number of events to wait for");
        }
        try (UntilInterrupted stop = new UntilInterrupted("monitor"); Host h = host.open();
             Monitor m = Monitor.open(h, network, host.agentNote().map(n -> n.store()).filter(x -> !x.isEmpty()))) {
            (json ? System.err : System.out).println("watching " + network.map(n -> "network " + n).orElse("every network")
                    + " on this host" + (count > 0 ? " for " + count + " events" : "; Ctrl-C ends"));
            m.run(e -> {
                if (json) {
                    Out.jsonLine(e);
                } else {
                    System.out.println(e.text());
                }
            }, count, stop::running);
        }
        return 0;
    }
}
