package io.overlaynet.lab;

import io.overlaynet.lab.LabRecord.Container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every container pings every other with the real {@code ping} run inside the source container's
 * namespace; a pair passes when one of a few single pings is answered (the first may be spent
 * resolving ARP in learning and multicast modes).
 */
public final class LabPing {
    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");
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

    /** One ping from inside {@code namespace} to {@code ip}: the RTT, or empty after {@value TRIES} misses. */
    public static Optional<Double> ping(String namespace, String ip) {
        for (int i = 0; i < TRIES; i++) {
            try {
                Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "ping", "-n", "-c", "1", "-W", "1", ip)
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    continue;
                }
                Matcher m = RTT.matcher(out);
                if (p.exitValue() == 0 && m.find()) {
                    return Optional.of(Double.parseDouble(m.group(1)));
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run ping: " + e.getMessage() + " (install iputils-ping)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
