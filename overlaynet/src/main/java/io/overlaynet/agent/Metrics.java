package io.overlaynet.agent;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/** The agent's counters and gauges, served in Prometheus text format on {@code /metrics}. */
public final class Metrics implements AutoCloseable {
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> sums = new ConcurrentHashMap<>();
    private final Map<String, Double> gauges = new ConcurrentHashMap<>();
    private final java.util.List<java.util.function.Supplier<String>> scraped = new java.util.concurrent.CopyOnWriteArrayList<>();
    private HttpServer server;

    /** Lines read fresh at each scrape (figures that live in the kernel, such as the allow-list's counters). */
    public void onScrape(java.util.function.Supplier<String> lines) {
        scraped.add(lines);
    }

    public void inc(String name, long by) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(by);
    }

    public void inc(String name) {
        inc(name, 1);
    }

    /** Adds one observation to a summary (exported as _sum and _count). */
    public void observe(String name, double value) {
        sums.computeIfAbsent(name + "_sum", k -> new DoubleAdder()).add(value);
        inc(name + "_count");
    }

    public void gauge(String name, double value) {
        gauges.put(name, value);
    }

    public long counter(String name) {
        AtomicLong c = counters.get(name);
        return c == null ? 0 : c.get();
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(counters).forEach((k, v) -> sb.append("overlaynet_").append(k).append(' ').append(v.get()).append('\n'));
        new TreeMap<>(sums).forEach((k, v) -> sb.append("overlaynet_").append(k).append(' ').append(v.sum()).append('\n'));
        new TreeMap<>(gauges).forEach((k, v) -> sb.append("overlaynet_").append(k).append(' ').append(v).append('\n'));
        for (java.util.function.Supplier<String> s : scraped) {
            try {
                sb.append(s.get());
            } catch (RuntimeException e) {
                // a figure that cannot be read now is left out of this scrape
            }
        }
        return sb.toString();
    }

    /** Serves /metrics on address:port (port 0: not served). */
    public void serve(String address, int port) {
        if (port <= 0) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve metrics on " + address + ":" + port + ": " + e.getMessage()
                    + " (give --metrics-address an address of this host)", e);
        }
        server.createContext("/metrics", ex -> {
            byte[] body = render().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
