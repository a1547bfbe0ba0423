package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.packet.Arp;
import io.overlaynet.netlink.packet.PacketSocket;
import io.overlaynet.netlink.rtnl.EventSubscription;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.netlink.rtnl.RtEvent;
import io.overlaynet.store.Store;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reactive mode, the walkthroughs' miss daemon done right: listens for the VXLAN device's L3 and L2
 * misses in each overlay namespace and answers from the agent's view of the store (falling back to the
 * walkthroughs' own arp/fdb layout where the store keeps it). An L3 miss is answered with both
 * entries, FDB and ARP, so the L2 miss that would follow never happens.
 */
final class MissHandler implements AutoCloseable {
    /** What the handler needs of the agent. */
    interface Answers {
        Optional<Remote> byIp(String network, InetAddress ip);

        Optional<Remote> byMac(String network, MacAddress mac);

        /** The registered host with this VTEP, if any. */
        Optional<String> hostByVtep(InetAddress vtep);

        /** Applies steps now, under the agent's data plane lock. */
        void install(List<Step> steps);

        /** An endpoint of {@code host} was just installed on demand (reactive hints go from here). */
        void answered(String host, String network);
    }

    /** The host of a record the walkthroughs' scripts wrote when no registered host has its VTEP. */
    private static final String SCRIPT = "script";
    private final Answers answers;
    private final Store store;
    private final Log log;
    private final Metrics metrics;
    private final Map<String, EventSubscription> subscriptions = new ConcurrentHashMap<>();
    /** Per network, a link-layer socket on the overlay bridge: the answer to a miss is also said there. */
    private final Map<String, PacketSocket> bridges = new ConcurrentHashMap<>();
    /** Store reads for misses the view cannot answer: 200 a second at most, none again within 1 s of a miss. */
    private final MissLimit limit;

    MissHandler(Answers answers, Store store, Log log, Metrics metrics) {
        this(answers, store, log, metrics, new MissLimit(200, 1000));
    }

    MissHandler(Answers answers, Store store, Log log, Metrics metrics, MissLimit limit) {
        this.answers = answers;
        this.store = store;
        this.log = log;
        this.metrics = metrics;
        this.limit = limit;
    }

    void listen(NetworkRecord n) {
        if (subscriptions.containsKey(n.name()) || n.bridge().isPresent()) {
            return;
        }
        try (NetNs ns = NetNs.named(n.overlayNamespace());
             Rtnl rt = Rtnl.open(ns)) {
            try {
                bridges.put(n.name(), PacketSocket.open(ns, rt.links().index(gatewayDevice(n)), PacketSocket.ETH_P_ARP));
            } catch (RuntimeException e) {
                log.once("arp-socket:" + n.name(), "cannot open a packet socket on " + gatewayDevice(n) + " of " + n.name()
                        + " (" + e.getMessage() + "): containers will wait for their ARP retry after a miss");
            }
            EventSubscription sub = rt.subscribe(EventSubscription.Group.NEIGH);
            subscriptions.put(n.name(), sub);
            sub.start("miss-" + n.name(), e -> onEvent(n.name(), e));
        }
    }

    /** Where the ARP answers go out: the bridge, or the gateway's macvlan child (its frames reach every child). */
    private static String gatewayDevice(NetworkRecord n) {
        return n.attachment() == io.overlaynet.dataplane.Attach.MACVLAN ? Overlay.GATEWAY : Overlay.BRIDGE;
    }

    void stop(String network) {
        EventSubscription s = subscriptions.remove(network);
        if (s != null) {
            s.close();
        }
        PacketSocket b = bridges.remove(network);
        if (b != null) {
            b.close();
        }
    }

    void onEvent(String network, RtEvent e) {
        try {
            switch (e) {
                case RtEvent.L3Miss m -> answerL3(network, m.ip());
                case RtEvent.L2Miss m -> answerL2(network, m.mac());
                case RtEvent.Overrun o -> log.once("overrun:" + network,
                        "missed kernel notifications in " + network + " (socket overrun); answering the next misses");
                default -> {
                }
            }
        } catch (RuntimeException ex) {
            log.once("miss:" + ex.getMessage(), "could not answer a miss in " + network + ": " + ex.getMessage());
        }
    }

    private void answerL3(String network, InetAddress ip) {
        Optional<Remote> r = answers.byIp(network, ip).or(() -> scriptRecord(network, ip));
        if (r.isEmpty()) {
            metrics.inc("misses_unanswered_total");
            return;
        }
        answers.install(Reconciler.installing(network, List.of(r.get())));
        announce(network, r.get());
        metrics.inc("misses_answered_total_l3");
        if (!r.get().host().equals(SCRIPT)) {
            answers.answered(r.get().host(), network);
        }
    }

    /**
     * The kernel dropped the ARP request that missed; the container would ask again only after its
     * retransmit timer. An ARP reply broadcast on the bridge settles its pending resolution now (and
     * sends the packet it queued); it stays on this host (a reactive network floods nothing to VXLAN).
     */
    private void announce(String network, Remote r) {
        PacketSocket b = bridges.get(network);
        if (b != null && r.ip() instanceof java.net.Inet4Address v4) {
            try {
                b.send(Arp.announceReply(r.mac(), v4));
            } catch (RuntimeException e) {
                log.once("arp-send:" + network, "could not send an ARP reply on " + network + ": " + e.getMessage());
            }
        }
    }

    private void answerL2(String network, MacAddress mac) {
        Optional<InetAddress> vtep = answers.byMac(network, mac).map(Remote::vtep).or(() -> scriptVtep(mac));
        if (vtep.isEmpty()) {
            metrics.inc("misses_unanswered_total");
            return;
        }
        answers.install(List.of(new Step.PutFdb(network, mac, vtep.get())));
        metrics.inc("misses_answered_total_l2");
    }

    private Optional<Remote> scriptRecord(String network, InetAddress ip) {
        String key = "arp/" + ip.getHostAddress();
        if (!limit.mayLookUp(key)) {
            metrics.inc("misses_limited_total");
            return Optional.empty();
        }
        Optional<Store.ScriptRecord> found = store.scriptRecord(ip.getHostAddress());
        if (found.isEmpty()) {
            limit.foundNothing(key);
        }
        return found.flatMap(v -> {
            try {
                InetAddress vtep = Ip.parseV4(v.vtep());
                return Optional.of(new Remote(network, ip, MacAddress.parse(v.mac()),
                        answers.hostByVtep(vtep).orElse(SCRIPT), vtep));
            } catch (IllegalArgumentException bad) {
                log.once("script:" + ip, "skipping record arp/" + ip.getHostAddress() + ": " + bad.getMessage());
                return Optional.empty();
            }
        });
    }

    private Optional<InetAddress> scriptVtep(MacAddress mac) {
        String key = "fdb/" + mac;
        if (!limit.mayLookUp(key)) {
            metrics.inc("misses_limited_total");
            return Optional.empty();
        }
        Optional<String> found = store.scriptVtep(mac.toString());
        if (found.isEmpty()) {
            limit.foundNothing(key);
        }
        return found.flatMap(v -> {
            try {
                return Optional.of((InetAddress) Ip.parseV4(v));
            } catch (IllegalArgumentException bad) {
                log.once("script:" + mac, "skipping record fdb/" + mac + ": " + bad.getMessage());
                return Optional.empty();
            }
        });
    }

    @Override
    public void close() {
        subscriptions.values().forEach(EventSubscription::close);
        subscriptions.clear();
        bridges.values().forEach(PacketSocket::close);
        bridges.clear();
    }
}
