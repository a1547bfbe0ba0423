package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.EventSubscription;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.RtEvent;
import io.overlaynet.store.FileStore;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reactive mode, the seeds' daemon done right: listens for the VXLAN device's L3 and L2 misses in each
 * overlay namespace and answers from the agent's view of the store (falling back to the seeds' own
 * arp/fdb files in a file store). An L3 miss is answered with both entries, ARP and FDB, so the L2 miss
 * that would follow never happens.
 */
final class MissHandler implements AutoCloseable {
    private final Agent agent;
    /** The host of a record the seeds' scripts wrote when no registered host has its VTEP. */
    private static final String SEED = "seed";
    private final Map<String, EventSubscription> subscriptions = new ConcurrentHashMap<>();

    MissHandler(Agent agent) {
        this.agent = agent;
    }

    void listen(NetworkRecord n) {
        if (subscriptions.containsKey(n.name()) || n.bridge().isPresent()) {
            return;
        }
        try (NetNs ns = NetNs.named(n.overlayNamespace());
             Rtnl rt = Rtnl.open(ns)) {
            EventSubscription sub = rt.subscribe(EventSubscription.Group.NEIGH);
            subscriptions.put(n.name(), sub);
            sub.start("miss-" + n.name(), e -> onEvent(n.name(), e));
        }
    }

    void stop(String network) {
        EventSubscription s = subscriptions.remove(network);
        if (s != null) {
            s.close();
        }
    }

    private void onEvent(String network, RtEvent e) {
        try {
            switch (e) {
                case RtEvent.L3Miss m -> answerL3(network, m.ip());
                case RtEvent.L2Miss m -> answerL2(network, m.mac());
                case RtEvent.Overrun o -> agent.log.once("overrun:" + network,
                        "missed kernel notifications in " + network + " (socket overrun); answering the next misses");
                default -> {
                }
            }
        } catch (RuntimeException ex) {
            agent.log.once("miss:" + ex.getMessage(), "could not answer a miss in " + network + ": " + ex.getMessage());
        }
    }

    private void answerL3(String network, InetAddress ip) {
        Optional<Remote> r = agent.byIp(network, ip).or(() -> seedRecord(network, ip));
        if (r.isEmpty()) {
            agent.metrics.inc("misses_unanswered_total");
            return;
        }
        agent.installNow(network, List.of(r.get()));
        agent.metrics.inc("misses_answered_total_l3");
        if (!r.get().host().equals(SEED)) {
            agent.hintReverse(r.get().host(), network);
        }
    }

    private void answerL2(String network, MacAddress mac) {
        Optional<InetAddress> vtep = agent.byMac(network, mac).map(Remote::vtep).or(() -> seedVtep(mac));
        if (vtep.isEmpty()) {
            agent.metrics.inc("misses_unanswered_total");
            return;
        }
        agent.installFdbNow(network, mac, vtep.get());
        agent.metrics.inc("misses_answered_total_l2");
    }

    /** The seeds' layout in a file store: arp/&lt;ip&gt; = MAC, fdb/&lt;mac&gt; = host IP. */
    private Optional<Remote> seedRecord(String network, InetAddress ip) {
        if (!(agent.store instanceof FileStore fs)) {
            return Optional.empty();
        }
        return fs.seedLookup(ip.getHostAddress()).flatMap(v -> {
            try {
                InetAddress vtep = Ip.parseV4(v[1]);
                return Optional.of(new Remote(network, ip, MacAddress.parse(v[0]),
                        agent.hostByVtep(vtep).orElse(SEED), vtep));
            } catch (IllegalArgumentException bad) {
                agent.log.once("seed:" + ip, "skipping seed record arp/" + ip.getHostAddress() + ": " + bad.getMessage());
                return Optional.empty();
            }
        });
    }

    private Optional<InetAddress> seedVtep(MacAddress mac) {
        if (!(agent.store instanceof FileStore fs)) {
            return Optional.empty();
        }
        return fs.seedVtep(mac.toString()).flatMap(v -> {
            try {
                return Optional.of((InetAddress) Ip.parseV4(v));
            } catch (IllegalArgumentException bad) {
                agent.log.once("seed:" + mac, "skipping seed record fdb/" + mac + ": " + bad.getMessage());
                return Optional.empty();
            }
        });
    }

    @Override
    public void close() {
        subscriptions.values().forEach(EventSubscription::close);
        subscriptions.clear();
    }
}
