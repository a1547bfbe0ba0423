package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Neighbour;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The changes that turn what this host holds ({@link Observed}) into what the store wants
 * ({@link Desired}), computed by one pure function ({@link #of}) with no I/O, so every case is tested
 * without root.
 *
 * <p>Order within a network: FDB entries in, then neighbour entries in (and an IP whose MAC changed
 * forgotten in this host's containers), then stale neighbours out, then stale FDB destinations out. So a neighbour entry never names a MAC the FDB cannot place, and an
 * endpoint that moved or an IP that came back with another MAC switches in one write, without a
 * window where the kernel has nothing. A MAC's destination is changed by replacing it; the old
 * destination's delete that follows then finds nothing, which appliers treat as done.
 */
record Plan(List<Step> steps) {

    Plan {
        steps = List.copyOf(steps);
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    int size() {
        return steps.size();
    }

    /** The steps of one network, in order. */
    List<Step> of(String network) {
        return steps.stream().filter(s -> s.network().equals(network)).toList();
    }

    /**
     * Every network the host runs for the agent is either still in the store (its entries are made to
     * match) or gone from it (the network is removed). Networks of the store with nothing here are left
     * alone: a host builds a network when its first local endpoint arrives.
     */
    static Plan of(Desired desired, Observed observed) {
        List<Step> out = new ArrayList<>();
        for (String name : new TreeSet<>(observed.networks().keySet())) {
            Desired.Network want = desired.networks().get(name);
            if (want == null) {
                out.add(new Step.RemoveNetwork(name));
            } else {
                out.addAll(network(name, want, observed.networks().get(name)));
            }
        }
        return new Plan(out);
    }

    /** One network's steps; see the class comment for their order. */
    static List<Step> network(String name, Desired.Network want, Observed.Network have) {
        Map<InetAddress, MacAddress> arp = new LinkedHashMap<>();
        for (Neighbour n : have.neighbours()) {
            if (have.owns(n)) {
                arp.put(n.ip(), n.mac().orElseThrow());
            }
        }
        Map<MacAddress, Set<InetAddress>> fdb = new LinkedHashMap<>();
        for (FdbEntry e : have.fdb()) {
            if (have.owns(e)) {
                fdb.computeIfAbsent(e.mac(), m -> new LinkedHashSet<>()).add(e.dst().orElseThrow());
            }
        }
        List<Step> putFdb = new ArrayList<>();
        List<Step> putArp = new ArrayList<>();
        List<Step> delFdb = new ArrayList<>();
        List<Step> forget = new ArrayList<>();
        Map<InetAddress, Remote> byIp = new HashMap<>();
        Map<MacAddress, Remote> byMac = new HashMap<>();
        for (Remote r : want.remotes()) {
            if (have.handIps().contains(r.ip()) || have.handMacs().contains(r.mac())
                    || byIp.containsKey(r.ip()) || byMac.containsKey(r.mac())) {
                continue; // a hand-made peer wins; of two records for one IP or MAC the first does
            }
            byIp.put(r.ip(), r);
            byMac.put(r.mac(), r);
            Set<InetAddress> dsts = fdb.getOrDefault(r.mac(), Set.of());
            boolean present = arp.containsKey(r.ip()) || !dsts.isEmpty();
            if (!present && !want.installs(r)) {
                continue; // reactive: the kernel asks when it needs it
            }
            if (!dsts.contains(r.vtep())) {
                putFdb.add(new Step.PutFdb(name, r.mac(), r.vtep()));
            }
            dsts.stream().filter(d -> !d.equals(r.vtep())).forEach(d -> delFdb.add(new Step.DelFdb(name, r.mac(), d)));
            MacAddress had = arp.get(r.ip());
            if (!r.mac().equals(had)) {
                putArp.add(new Step.PutArp(name, r.ip(), r.mac()));
                if (had != null) {
                    forget.add(new Step.ForgetInContainers(name, r.ip()));
                }
            }
        }
        List<Step> delArp = new ArrayList<>();
        arp.keySet().stream().filter(ip -> !byIp.containsKey(ip)).forEach(ip -> delArp.add(new Step.DelArp(name, ip)));
        fdb.forEach((mac, dsts) -> {
            if (!byMac.containsKey(mac)) {
                dsts.forEach(d -> delFdb.add(new Step.DelFdb(name, mac, d)));
            }
        });
        List<Step> out = new ArrayList<>(putFdb);
        out.addAll(putArp);
        out.addAll(forget);
        out.addAll(delArp);
        out.addAll(delFdb);
        return out;
    }
}
