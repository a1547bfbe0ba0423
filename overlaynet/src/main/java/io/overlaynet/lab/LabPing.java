package io.overlaynet.lab;

import io.overlaynet.lab.LabRecord.Container;

import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.packet.IcmpEcho;
import io.overlaynet.netlink.rtnl.Ip;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every container pings every other with ICMP echo sent from a raw socket inside the source container's
 * namespace (no ping binary); a pair passes when one of a few single pings is answered (the first may be spent
 * resolving ARP in learning and multicast modes).
 */
public final class LabPing {
    private static final int TRIES = 3;

    private LabPing() {
    }

    /** One pair's result: the RTT in ms when answered. */
    public record Result(Container from, Container to, Optional<Double> rttMs) {
        public boolean ok() {
            return rttMs.isPresent();
        }
    }

    public static List<Result> all(LabRecord lab) {
        List<Container> cs = lab.containers();
        List<Future<Result>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Container a : cs) {
                for (Container b : cs) {
                    if (a != b) {
                        futures.add(pool.submit(() -> new Result(a, b, ping(a.namespace(), b.ip()))));
                    }
                }
            }
            List<Result> out = new ArrayList<>();
            for (Future<Result> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("ping run failed: " + e.getMessage(), e);
        }
    }

    /**
     * One ping from inside {@code namespace} to {@code ip}: the RTT, or empty after {@value TRIES} misses
     * of a second each. ICMP echo from a raw socket of our own: no ping binary needed.
     */
    public static Optional<Double> ping(String namespace, String ip) {
        try (NetNs ns = NetNs.named(namespace)) {
            return ping(ns, (Inet4Address) Ip.parseV4(ip), 56, false);
        }
    }

    /** Up to {@value TRIES} echoes of {@code payload} bytes (with DF set when asked), a second each: the first RTT. */
    public static Optional<Double> ping(NetNs ns, Inet4Address to, int payload, boolean dontFragment) {
        for (int i = 0; i < TRIES; i++) {
            Optional<Double> rtt = IcmpEcho.ping(ns, to, Duration.ofSeconds(1), payload, dontFragment);
            if (rtt.isPresent()) {
                return rtt;
            }
        }
        return Optional.empty();
    }
}
