package io.overlaynet.doctor;

import io.overlaynet.dataplane.Endpoints;
import io.overlaynet.dataplane.Host;
import io.overlaynet.dataplane.Networks;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.Peers;
import io.overlaynet.dataplane.Records.EndpointRecord;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Records.PeerRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.EventSubscription;
import io.overlaynet.netlink.rtnl.Link;
import io.overlaynet.netlink.rtnl.RtEvent;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.wire.Rtm;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code ip monitor neigh link} over every overlay namespace of a host at once, made readable: each
 * event names its network, the device by name, and the endpoint an IP or MAC belongs to (a local
 * container, a peer, or the host behind a VTEP). A neighbour or FDB entry that arrives within a second
 * of a miss for the same IP or MAC is marked as the answer to it (what an agent did).
 */
public final class Monitor implements AutoCloseable {
    private static final Duration ANSWER_WINDOW = Duration.ofSeconds(1);

    /**
     * One event. {@code kind}: miss-arp, miss-fdb, arp-add, arp-del, fdb-add, fdb-del, link-up,
     * link-down, link-gone, overrun. Fields that do not apply are null.
     */
    public record Event(String time, String network, String namespace, String kind, String device, String ip, String mac,
                        String vtep, String state, String endpoint, Boolean answersMiss) {
        /** One line of text, like {@code ip monitor} but with names. */
        public String text() {
            StringBuilder b = new StringBuilder(time.substring(11, 23)).append("  ").append(network).append("  ");
            b.append(String.format("%-9s", kind));
            switch (kind) {
                case "miss-arp" -> b.append(" who-has ").append(ip).append(" on ").append(device).append(": no ARP entry");
                case "miss-fdb" -> b.append(" where-is ").append(mac).append(" on ").append(device).append(": no FDB entry");
                case "arp-add", "arp-del" -> b.append(" ").append(ip).append(mac == null ? "" : " lladdr " + mac)
                        .append(" dev ").append(device).append(state == null ? "" : " " + state);
                case "fdb-add", "fdb-del" -> b.append(" ").append(mac).append(vtep == null ? "" : " dst " + vtep)
                        .append(" dev ").append(device).append(state == null ? "" : " " + state);
                case "overrun" -> b.append(" events were lost (the kernel's buffer filled): tables may have changed unseen");
                default -> b.append(" ").append(device);
            }
            if (endpoint != null) {
                b.append("  [").append(endpoint).append("]");
            }
            if (Boolean.TRUE.equals(answersMiss)) {
                b.append("  (answers the miss)");
            }
            return b.toString();
        }
    }

    private record Source(NetworkRecord network, Rtnl rtnl, EventSubscription subscription, Map<Integer, String> names,
                          Map<Integer, Boolean> up) {
    }

    private final List<Source> sources = new ArrayList<>();
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Map<String, String> owners = new HashMap<>();
    private final Map<String, Instant> misses = new HashMap<>();

    private final Optional<String> storeUrl;
    private Instant storeReadAt = Instant.EPOCH;

    private Monitor(Optional<String> storeUrl) {
        this.storeUrl = storeUrl;
    }

    /**
     * Starts listening in the overlay namespace of every network of {@code host} (or only {@code network});
     * with the store of the host's agent, remote endpoints are named too ({@code name@host}).
     */
    public static Monitor open(Host host, Optional<String> network, Optional<String> storeUrl) {
        Monitor m = new Monitor(storeUrl);
        try {
            List<NetworkRecord> nets = new Networks(host).list().stream()
                    .filter(n -> network.map(n.name()::equals).orElse(true)).toList();
            if (nets.isEmpty()) {
                throw new IllegalArgumentException(network.map(n -> "no network " + n + " on this host")
                        .orElse("no network on this host") + ": list them with 'overlaynet network ls'");
            }
            m.readStore();
            for (NetworkRecord n : nets) {
                m.learnOwners(host, n);
                Overlay o = host.overlay(n);
                Rtnl rt = o.rtnl();
                Map<Integer, String> names = new HashMap<>();
                Map<Integer, Boolean> up = new HashMap<>();
                EventSubscription sub = rt.subscribe(EventSubscription.Group.LINK, EventSubscription.Group.NEIGH);
                rt.links().list().forEach(l -> {
                    names.put(l.index(), l.name());
                    up.put(l.index(), carries(l));
                });
                Source s = new Source(n, rt, sub, names, up);
                m.sources.add(s);
                sub.start("monitor-" + n.name(), e -> m.decode(s, e).ifPresent(m.queue::add));
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Whose an IP or MAC is: local endpoints by name, peers and the hosts behind VTEPs. */
    private void learnOwners(Host host, NetworkRecord n) {
        for (EndpointRecord e : new Endpoints(host).list(Optional.of(n.name()))) {
            owners.put(n.name() + " " + e.ip(), e.name() + " (local)");
            owners.put(n.name() + " " + e.mac().toLowerCase(), e.name() + " (local)");
        }
        for (PeerRecord p : new Peers(host).list(Optional.of(n.name()))) {
            String who = "peer at " + p.vtep();
            p.ip().ifPresent(ip -> owners.put(n.name() + " " + ip, who));
            p.mac().ifPresent(mac -> owners.put(n.name() + " " + mac.toLowerCase(), who));
        }
    }

    /** Remote endpoints from the store, at most once a second (on start, and when an unknown key shows up). */
    private void readStore() {
        if (storeUrl.isEmpty() || Duration.between(storeReadAt, Instant.now()).compareTo(Duration.ofSeconds(1)) < 0) {
            return;
        }
        storeReadAt = Instant.now();
        try (io.overlaynet.store.Store store = io.overlaynet.store.Stores.open(storeUrl.get())) {
            for (var e : new io.overlaynet.agent.Cluster(store).endpoints(Optional.empty())) {
                owners.putIfAbsent(e.network() + " " + e.ip(), e.name() + "@" + e.host());
                owners.putIfAbsent(e.network() + " " + e.mac().toLowerCase(), e.name() + "@" + e.host());
            }
        } catch (RuntimeException unreachable) {
            // names are a courtesy: events still flow without them
        }
    }

    private String owner(String key) {
        String o = owners.get(key);
        if (o == null) {
            readStore();
            o = owners.get(key);
        }
        return o;
    }

    /** The next event, waiting up to {@code timeout}. */
    public Optional<Event> next(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Delivers events until {@code keepGoing} says stop (checked at least every 200 ms) or {@code count} were seen. */
    public void run(Consumer<Event> out, long count, java.util.function.BooleanSupplier keepGoing) throws InterruptedException {
        long seen = 0;
        while (keepGoing.getAsBoolean() && (count <= 0 || seen < count)) {
            Optional<Event> e = next(Duration.ofMillis(200));
            if (e.isPresent()) {
                out.accept(e.get());
                seen++;
            }
        }
    }

    private synchronized Optional<Event> decode(Source s, RtEvent e) {
        String net = s.network().name();
        String ns = s.network().overlayNamespace();
        String now = Instant.now().toString();
        now = now.length() >= 24 ? now : now.replace("Z", ".000Z");
        return switch (e) {
            case RtEvent.L3Miss m -> {
                String ip = m.ip().getHostAddress();
                misses.put(net + " " + ip, Instant.now());
                yield Optional.of(new Event(now, net, ns, "miss-arp", dev(s, m.index()), ip, null, null, null,
                        owner(net + " " + ip), null));
            }
            case RtEvent.L2Miss m -> {
                String mac = m.mac().toString();
                misses.put(net + " " + mac, Instant.now());
                yield Optional.of(new Event(now, net, ns, "miss-fdb", dev(s, m.index()), null, mac, null, null,
                        owner(net + " " + mac), null));
            }
            case RtEvent.NeighbourChange c -> {
                String ip = c.neighbour().ip().getHostAddress();
                String mac = c.neighbour().mac().map(MacAddress::toString).orElse(null);
                yield Optional.of(new Event(now, net, ns, c.added() ? "arp-add" : "arp-del", dev(s, c.neighbour().index()),
                        ip, mac, null, Rtm.nudName(c.neighbour().state()), owner(net + " " + ip),
                        c.added() ? answers(net + " " + ip) : null));
            }
            case RtEvent.FdbChange c -> {
                String mac = c.entry().mac().toString();
                String dst = c.entry().dst().map(InetAddress::getHostAddress).orElse(null);
                String where = c.entry().isSelf() ? "self" : "master";
                yield Optional.of(new Event(now, net, ns, c.added() ? "fdb-add" : "fdb-del", dev(s, c.entry().index()),
                        null, mac, dst, where + " " + Rtm.nudName(c.entry().state()).toLowerCase(),
                        c.entry().mac().isZero() ? "flood list" : owner(net + " " + mac),
                        c.added() ? answers(net + " " + mac) : null));
            }
            case RtEvent.LinkChange c -> {
                Link l = c.link();
                String before = s.names().put(l.index(), l.name());
                if (!c.added()) {
                    s.names().remove(l.index());
                    s.up().remove(l.index());
                    yield Optional.of(new Event(now, net, ns, "link-gone", l.name(), null, null, null, null, null, null));
                }
                boolean up = carries(l);
                Boolean was = s.up().put(l.index(), up);
                if (was != null && was == up) {
                    yield Optional.empty(); // another attribute changed (MTU, master, statistics): not news here
                }
                yield Optional.of(new Event(now, net, ns, up ? "link-up" : "link-down", l.name(), null, null, null,
                        before == null ? "new" : null, null, null));
            }
            case RtEvent.Overrun o -> Optional.of(new Event(now, net, ns, "overrun", null, null, null, null, null, null, null));
            default -> Optional.empty();
        };
    }

    private static boolean carries(Link l) {
        return l.isUp() && (l.flags() & Rtm.IFF_LOWER_UP) != 0;
    }

    private Boolean answers(String key) {
        Instant asked = misses.remove(key);
        return asked != null && Duration.between(asked, Instant.now()).compareTo(ANSWER_WINDOW) <= 0 ? Boolean.TRUE : null;
    }

    private static String dev(Source s, int index) {
        return s.names().getOrDefault(index, "if" + index);
    }

    @Override
    public void close() {
        for (Source s : sources) {
            s.subscription().close();
        }
    }
}
