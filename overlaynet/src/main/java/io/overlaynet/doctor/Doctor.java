package io.overlaynet.doctor;

import io.overlaynet.doctor.Diagnosis.Probe;
import io.overlaynet.doctor.HostView.EndpointView;
import io.overlaynet.lab.LabPing;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Link;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the diagnosis: reads every host it can see first (so what it reports is the state the user
 * found, before any probe teaches a learning device or wakes an agent), then probes each pair with a
 * small and a full-size echo from inside the source container, then walks the path.
 */
public final class Doctor {
    private static final int SMALL_PAYLOAD = 56;
    /** IPv4 header 20 + ICMP header 8: a full-size echo's payload is the MTU less these. */
    private static final int ICMP_HEADERS = 28;

    private final List<HostView> views;

    private Doctor(List<HostView> views) {
        this.views = views;
    }

    /** The doctor of a set of hosts' parts of {@code network}. */
    public static Doctor of(List<HostView.Spec> hosts, String network, List<InetAddress> vteps) {
        List<HostView> views = new ArrayList<>();
        for (HostView.Spec s : hosts) {
            HostView.collect(s, network, vteps).ifPresent(views::add);
        }
        if (views.isEmpty()) {
            throw new IllegalArgumentException("no host seen has network " + network + ": list them with overlaynet network ls");
        }
        return new Doctor(views);
    }

    /**
     * The doctor of one host that cannot look into the others: they are known by the endpoints the
     * store (when the host's agent has one) and this host's peer records place behind each VTEP.
     */
    public static Doctor ofHost(HostView.Spec local, String network, Optional<String> storeUrl) {
        HostView here = HostView.collect(local, network, List.of()).orElseThrow(() -> new IllegalArgumentException(
                "no network " + network + " on this host: list them with overlaynet network ls"));
        java.util.Map<String, List<EndpointView>> behind = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> names = new java.util.HashMap<>();
        String me = here.vtep().getHostAddress();
        try (io.overlaynet.dataplane.Host h = io.overlaynet.dataplane.Host.open(local.prefix(), local.stateRoot(),
                local.hostNs())) {
            for (io.overlaynet.dataplane.Records.PeerRecord p : new io.overlaynet.dataplane.Peers(h).list(Optional.of(network))) {
                if (p.ip().isPresent() && p.mac().isPresent() && !p.vtep().equals(me)) {
                    String host = "vtep " + p.vtep();
                    behind.computeIfAbsent(p.vtep(), k -> new ArrayList<>()).add(new EndpointView(host, "peer " + p.ip().get(),
                            "", p.ip().get(), p.mac().get(), Optional.empty(), true, Optional.empty()));
                }
            }
        }
        if (storeUrl.isPresent()) {
            try (io.overlaynet.store.Store store = io.overlaynet.store.Stores.open(storeUrl.get())) {
                for (var e : new io.overlaynet.agent.Cluster(store).endpoints(Optional.of(network))) {
                    boolean known = behind.values().stream().flatMap(List::stream).anyMatch(x -> x.ip().equals(e.ip()));
                    if (!e.vtep().equals(me) && !known) {
                        names.put(e.vtep(), e.host());
                        behind.computeIfAbsent(e.vtep(), k -> new ArrayList<>()).add(new EndpointView(e.host(), e.name(), "",
                                e.ip(), e.mac(), Optional.empty(), true, Optional.empty()));
                    }
                }
            }
        }
        List<HostView> views = new ArrayList<>(List.of(here));
        behind.forEach((vtep, eps) -> {
            String name = names.getOrDefault(vtep, "vtep " + vtep);
            List<EndpointView> renamed = eps.stream().map(e -> new EndpointView(name, e.name(), e.namespace(), e.ip(),
                    e.mac(), e.eth0(), e.addressed(), e.hostVeth())).toList();
            views.add(HostView.remote(name, Ip.parse(vtep), here.network(), renamed));
        });
        return new Doctor(views);
    }

    /** The doctor of a lab: every host of it. */
    public static Doctor ofLab(LabRecord lab, Path stateRoot) {
        List<HostView.Spec> specs = lab.hosts().stream()
                .map(h -> new HostView.Spec(h.name(), Optional.of(h.namespace()), h.nsPrefix(), stateRoot)).toList();
        List<InetAddress> vteps = lab.hosts().stream().map(h -> Ip.parse(h.address())).toList();
        return of(specs, lab.network(), vteps);
    }

    public List<HostView> views() {
        return views;
    }

    /** Every endpoint seen, host by host. */
    public List<EndpointView> endpoints() {
        return views.stream().flatMap(v -> v.endpoints().stream()).toList();
    }

    /** An endpoint by name or namespace, on {@code host} (or any host seen when empty). */
    public Optional<EndpointView> endpoint(String nameOrNamespace, Optional<String> host) {
        return endpoints().stream().filter(e -> host.map(h -> h.equals(e.host())).orElse(true))
                .filter(e -> e.name().equals(nameOrNamespace) || e.namespace().equals(nameOrNamespace)
                        || e.namespace().endsWith("/" + nameOrNamespace))
                .findFirst();
    }

    /** One direction of one pair. */
    public Finding diagnose(EndpointView from, String toIp) {
        Ip.parseV4(toIp);
        return new Diagnosis(views).of(from, toIp, probe(from, toIp));
    }

    /** Every ordered pair of endpoints seen, probed eight at a time. */
    public List<Finding> all() {
        List<EndpointView> eps = endpoints();
        List<Future<Finding>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (EndpointView a : eps) {
                for (EndpointView b : eps) {
                    if (a != b) {
                        futures.add(pool.submit(() -> diagnose(a, b.ip())));
                    }
                }
            }
            List<Finding> out = new ArrayList<>();
            for (Future<Finding> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("doctor run failed: " + e.getMessage(), e);
        }
    }

    /** A small echo (up to three tries), then, when it was answered, a full-size one with DF set. */
    private static Probe probe(EndpointView from, String toIp) {
        if (from.eth0().isEmpty()) {
            return new Probe(Optional.empty(), Optional.empty());
        }
        Inet4Address to = (Inet4Address) Ip.parseV4(toIp);
        int full = from.eth0().map(Link::mtu).orElse(1500) - ICMP_HEADERS;
        try (NetNs ns = from.namespace().startsWith("/") ? NetNs.open(Path.of(from.namespace()))
                : NetNs.named(from.namespace())) {
            Optional<Double> small = LabPing.ping(ns, to, SMALL_PAYLOAD, false);
            Optional<Double> big = small.isEmpty() ? Optional.empty() : LabPing.ping(ns, to, full, true);
            return new Probe(small, big);
        } catch (RuntimeException gone) {
            return new Probe(Optional.empty(), Optional.empty());
        }
    }
}
