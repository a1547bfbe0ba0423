package io.overlaynet.bench;

import io.overlaynet.agent.AgentClient;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.store.Keys;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code overlaynet bench first-packet}: two fresh containers on two lab hosts (added through the
 * agents); the RTT of the very first ping between them, then the steady RTT. In reactive mode the same
 * is measured with the kernel's default ARP retransmit timer (1 s), which is what the walkthroughs' daemon
 * lives with: the reference, in the same run.
 */
public final class FirstPacketBench {
    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");
    private final boolean reactive;
    private final String store;
    private final int rounds;
    private final PrintStream out;

    public FirstPacketBench(boolean reactive, String store, int rounds, PrintStream out) {
        this.reactive = reactive;
        this.store = store;
        this.rounds = rounds;
        this.out = out;
    }

    public Figures run() {
        out.printf("overlaynet bench first-packet: %s mode, %s store, %d rounds of two fresh containers%n",
                reactive ? "reactive" : "proactive", store, rounds);
        List<Double> first = new ArrayList<>();
        List<Double> steady = new ArrayList<>();
        List<Double> handBuiltLike = new ArrayList<>();
        try (AgentLab l = new AgentLab("fp", 2, reactive, store, out)) {
            AgentClient a = l.lab.agent(l.host(0));
            AgentClient b = l.lab.agent(l.host(1));
            for (int i = 0; i < rounds; i++) {
                coldStart(l);
                measure(a, b, "fa" + i, "fb" + i, 100 + 2 * i, false, first, steady);
                if (reactive) {
                    coldStart(l);
                    measure(a, b, "sa" + i, "sb" + i, 150 + 2 * i, true, handBuiltLike, new ArrayList<>());
                }
            }
        }
        out.println();
        out.printf("%-52s %10s%n", "median of " + rounds, "ms");
        out.printf("%-52s %10.2f%n", "first ping RTT (fresh containers, " + (reactive ? "reactive" : "proactive") + ")",
                Stats.median(first));
        out.printf("%-52s %10.3f%n", "steady ping RTT", Stats.median(steady));
        if (reactive) {
            out.printf("%-52s %10.2f%n", "first ping RTT with the kernel's 1 s ARP retry", Stats.median(handBuiltLike));
            out.println("(every round starts cold: no host has asked the other to program it ahead; the walkthroughs' daemon,");
            out.println(" with the 1 s retry on both sides and no such request, measures about 2,050 ms)");
        }
        out.println();
        return new Figures(out).add("first_packet_ms", Stats.median(first), "%.2f");
    }

    /**
     * Reactive agents ask each other, on a first miss, to program their endpoints ahead ("hints"); after
     * one contact two hosts are warm. Every round starts cold: the hints are removed from the store.
     */
    private static void coldStart(AgentLab l) {
        l.store(s -> {
            s.list(Keys.HINTS).entries().forEach(e -> s.delete(e.key()));
            return null;
        });
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void measure(AgentClient a, AgentClient b, String na, String nb, int octet, boolean slowArp,
                         List<Double> first, List<Double> steady) {
        try {
            EndpointRecord ea = a.addEndpoint("demo", na, Optional.of("12.12.12." + octet), Optional.empty(), Optional.empty());
            EndpointRecord eb = b.addEndpoint("demo", nb, Optional.of("12.12.12." + (octet + 1)), Optional.empty(), Optional.empty());
            if (slowArp) {
                for (EndpointRecord e : List.of(ea, eb)) {
                    try (NetNs ns = NetNs.named(e.namespace()); Rtnl rt = Rtnl.open(ns)) {
                        rt.sysctl().arpRetransmitMillis("eth0", 1000);
                        rt.sysctl().set("net.ipv4.neigh.eth0.mcast_solicit", "3");
                    }
                }
            }
            String o = Commands.run("ip", "netns", "exec", ea.namespace(), "ping", "-n", "-c", "1", "-W", "5", eb.ip());
            Matcher m = RTT.matcher(o);
            if (!m.find()) {
                throw new IllegalStateException("first ping from " + ea.ip() + " to " + eb.ip() + " got no answer");
            }
            first.add(Double.parseDouble(m.group(1)));
            String s = Commands.run("ip", "netns", "exec", ea.namespace(), "ping", "-n", "-c", "5", "-i", "0.05", eb.ip());
            Matcher ms = RTT.matcher(s);
            List<Double> rtts = new ArrayList<>();
            while (ms.find()) {
                rtts.add(Double.parseDouble(ms.group(1)));
            }
            steady.add(Stats.median(rtts));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

}
