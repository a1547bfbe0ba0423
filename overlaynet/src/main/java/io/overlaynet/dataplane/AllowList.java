package io.overlaynet.dataplane;

import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.dataplane.Records.PeerRecord;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.nft.Nft;
import io.overlaynet.netlink.nft.VxlanRules;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.socket.Request;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The VTEP allow-list: VXLAN datagrams reach a network only from its members. One nf_tables table in
 * the host namespace, where the VXLAN sockets live:
 * <pre>
 * table ip overlaynet_vteps[_PREFIX]
 *   set peers   VTEPs of this host's static and flood peers        (kept by peer add / peer rm)
 *   set hosts   VTEPs of the live hosts in the store               (kept by the agent's reconciler)
 *   chain input   hook input, priority -300
 *     udp dport PORT @th,96,24 VNI ip saddr != @peers ip saddr != @hosts counter drop   (one per guarded network)
 *   chain output  hook output, priority -300
 *     udp dport PORT meta skuid != 4294967295 counter drop   (a user's socket here sending to a VXLAN port)
 * </pre>
 * The chains are rewritten whole, in one transaction, from the host's network records, before a VXLAN
 * device is made and after one is removed; the sets are never emptied by that rewrite, so membership
 * survives agent restarts and store outages. It is not authentication: a sender that spoofs a member's
 * address gets through (only encryption authenticates).
 */
public final class AllowList {
    public static final String PEERS = "peers";
    public static final String HOSTS = "hosts";
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    /** Before conntrack and every filter chain: a dropped datagram costs as little as it can. */
    private static final int PRIORITY = -300;

    private AllowList() {
    }

    /** The table's name on this host (simulated hosts sharing one namespace must not share it). */
    public static String table(Host host) {
        String p = host.prefix().replaceAll("[^A-Za-z0-9_]+$", "").replaceAll("[^A-Za-z0-9_]", "_");
        return p.isEmpty() ? "overlaynet_vteps" : "overlaynet_vteps_" + p;
    }

    /**
     * Rewrites the chains from {@code networks} (those with the allow-list on); removes the table when
     * none is. A failure is thrown as one line that says how to run open instead.
     */
    static void sync(Host host, List<NetworkRecord> networks) {
        List<NetworkRecord> guarded = networks.stream().filter(NetworkRecord::allowList).toList();
        String table = table(host);
        List<Request> tx = new ArrayList<>();
        if (guarded.isEmpty()) {
            tx.add(Nft.addTable(Nft.FAMILY_IP, table));
            tx.add(Nft.deleteTable(Nft.FAMILY_IP, table));
        } else {
            tx.add(Nft.addTable(Nft.FAMILY_IP, table));
            tx.add(Nft.addAddressSet(Nft.FAMILY_IP, table, PEERS));
            tx.add(Nft.addAddressSet(Nft.FAMILY_IP, table, HOSTS));
            tx.add(Nft.addBaseChain(Nft.FAMILY_IP, table, INPUT, "filter", Nft.HOOK_INPUT, PRIORITY));
            tx.add(Nft.addBaseChain(Nft.FAMILY_IP, table, OUTPUT, "filter", Nft.HOOK_OUTPUT, PRIORITY));
            tx.add(Nft.flushChain(Nft.FAMILY_IP, table, INPUT));
            tx.add(Nft.flushChain(Nft.FAMILY_IP, table, OUTPUT));
            for (NetworkRecord n : guarded) {
                tx.add(Nft.addRule(Nft.FAMILY_IP, table, INPUT, VxlanRules.dropUnlessFrom(n.port(), n.vni(),
                        List.of(PEERS, HOSTS))));
            }
            for (int port : new TreeSet<>(guarded.stream().map(NetworkRecord::port).toList())) {
                tx.add(Nft.addRule(Nft.FAMILY_IP, table, OUTPUT, VxlanRules.dropFromUserSockets(port)));
            }
        }
        try {
            host.nft().apply(tx);
        } catch (NetlinkException e) {
            throw new IllegalStateException("cannot install the VTEP allow-list (nf_tables table ip " + table + "): "
                    + e.getMessage() + "; is nf_tables available here? To run without it (any underlay sender "
                    + "can inject frames), create the network with --no-allow-list", e);
        }
    }

    /** Rewrites the chains from the host's network records (after {@link #suspend}, or a hand edit). */
    public static void resync(Host host) {
        sync(host, new Networks(host).list());
    }

    /**
     * Takes the rules out, keeping the table and its sets: what the throughput bench measures against.
     * Nothing when the table is not there.
     */
    public static void suspend(Host host) {
        try {
            host.nft().apply(List.of(Nft.flushChain(Nft.FAMILY_IP, table(host), INPUT),
                    Nft.flushChain(Nft.FAMILY_IP, table(host), OUTPUT)));
        } catch (NetlinkException.NotFound none) {
            // no guarded network on this host
        }
    }

    /** The addresses in one of the sets; empty when the table is not there. */
    public static Set<Inet4Address> members(Host host, String set) {
        try {
            return host.nft().elements(Nft.FAMILY_IP, table(host), set);
        } catch (NetlinkException.NotFound none) {
            return Set.of();
        }
    }

    /**
     * Adds addresses to a set (before any entry points at them); false, and nothing done, when the table
     * is not there (no guarded network on this host).
     */
    public static boolean admit(Host host, String set, Set<Inet4Address> vteps) {
        if (vteps.isEmpty()) {
            return true;
        }
        try {
            host.nft().apply(List.of(Nft.addElements(Nft.FAMILY_IP, table(host), set, vteps)));
            return true;
        } catch (NetlinkException.NotFound none) {
            return false;
        }
    }

    /** Removes addresses from a set (after the entries that pointed at them); those not there are skipped. */
    public static void expel(Host host, String set, Set<Inet4Address> vteps) {
        if (vteps.isEmpty()) {
            return;
        }
        Set<Inet4Address> there = new HashSet<>(members(host, set));
        there.retainAll(vteps);
        if (!there.isEmpty()) {
            host.nft().apply(List.of(Nft.deleteElements(Nft.FAMILY_IP, table(host), set, there)));
        }
    }

    /** Admits one peer's VTEP, before its entries are written. */
    static void admitPeer(Host host, InetAddress vtep) {
        if (vtep instanceof Inet4Address v4) {
            admit(host, PEERS, Set.of(v4));
        }
    }

    /** Makes the peers set what the host's peer records name: called after peers or networks are removed. */
    static void syncPeers(Host host) {
        Set<Inet4Address> want = new HashSet<>();
        for (PeerRecord p : new Peers(host).list(java.util.Optional.empty())) {
            if (Ip.parse(p.vtep()) instanceof Inet4Address v4) {
                want.add(v4);
            }
        }
        Set<Inet4Address> there = members(host, PEERS);
        Set<Inet4Address> add = new HashSet<>(want);
        add.removeAll(there);
        Set<Inet4Address> extra = new HashSet<>(there);
        extra.removeAll(want);
        List<Request> tx = new ArrayList<>();
        if (!add.isEmpty()) {
            tx.add(Nft.addElements(Nft.FAMILY_IP, table(host), PEERS, add));
        }
        if (!extra.isEmpty()) {
            tx.add(Nft.deleteElements(Nft.FAMILY_IP, table(host), PEERS, extra));
        }
        if (!tx.isEmpty()) {
            host.nft().apply(tx); // one transaction: the set is never seen half changed
        }
    }

    /**
     * Datagrams dropped so far, per guarded network (the input rules, in record order), and under
     * {@code "local-sockets"} those a user's socket on this host tried to send to a VXLAN port.
     */
    public static Map<String, Long> drops(Host host) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<NetworkRecord> guarded = new Networks(host).list().stream().filter(NetworkRecord::allowList).toList();
        try {
            Nft nft = host.nft();
            List<Long> in = nft.counters(Nft.FAMILY_IP, table(host), INPUT);
            for (int i = 0; i < guarded.size() && i < in.size(); i++) {
                out.put(guarded.get(i).name(), in.get(i));
            }
            out.put("local-sockets", nft.counters(Nft.FAMILY_IP, table(host), OUTPUT).stream().mapToLong(Long::longValue).sum());
        } catch (NetlinkException.NotFound none) {
            return Map.of();
        }
        return out;
    }
}
