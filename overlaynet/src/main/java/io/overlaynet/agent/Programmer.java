package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.dataplane.Overlay;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.socket.Request;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes remote endpoints into one network's overlay namespace: a permanent ARP entry, then the FDB
 * entry (MAC to VTEP), in one pipelined batch for any number of endpoints; removal in reverse order.
 * Reconciliation diffs the desired entries against a kernel dump and touches only entries overlaynet
 * owns there: permanent IPv4 neighbours and unicast FDB entries with a destination on the VXLAN device.
 */
final class Programmer {
    private final Metrics metrics;

    Programmer(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Installs (replace semantics) every given remote. */
    void install(Overlay o, Collection<Remote> remotes) {
        if (remotes.isEmpty()) {
            return;
        }
        int vx = o.vxlanIndex();
        List<Request> reqs = new ArrayList<>(remotes.size() * 2);
        for (Remote r : remotes) {
            reqs.add(o.rtnl().neighbours().replaceRequest(Neighbour.permanent(vx, r.ip(), r.mac())));
            reqs.add(o.rtnl().fdb().replaceRequest(FdbEntry.toVtep(vx, r.mac(), r.vtep())));
        }
        BatchResult res = o.rtnl().batch(reqs);
        metrics.inc("entries_programmed_total", res.succeeded());
        res.throwIfFailed();
    }

    /** What the kernel holds that overlaynet owns: IP to MAC and MAC to VTEP. */
    record KernelState(Map<InetAddress, MacAddress> arp, Map<MacAddress, InetAddress> fdb) {
    }

    KernelState dump(Overlay o) {
        int vx = o.vxlanIndex();
        Map<InetAddress, MacAddress> arp = new HashMap<>();
        for (Neighbour n : o.rtnl().neighbours().list(vx)) {
            if (n.isPermanent() && n.ip() instanceof Inet4Address && n.mac().isPresent()) {
                arp.put(n.ip(), n.mac().get());
            }
        }
        Map<MacAddress, InetAddress> fdb = new HashMap<>();
        for (FdbEntry e : o.rtnl().fdb().list(vx)) {
            if (e.isSelf() && !e.mac().isZero() && e.dst().isPresent()) {
                fdb.put(e.mac(), e.dst().get());
            }
        }
        return new KernelState(arp, fdb);
    }

    /**
     * Makes the kernel match {@code desired}: adds what is missing or wrong, removes owned entries
     * nobody wants. With {@code addMissing} false (reactive mode) only wrong and stale entries are
     * fixed: missing ones are left for the miss handler. Returns the number of differences.
     */
    int reconcile(Overlay o, Collection<Remote> desired, boolean addMissing) {
        KernelState k = dump(o);
        Map<InetAddress, Remote> byIp = new HashMap<>();
        desired.forEach(r -> byIp.put(r.ip(), r));
        List<Remote> install = new ArrayList<>();
        for (Remote r : desired) {
            boolean arpOk = r.mac().equals(k.arp().get(r.ip()));
            boolean fdbOk = r.vtep().equals(k.fdb().get(r.mac()));
            boolean present = k.arp().containsKey(r.ip()) || k.fdb().containsKey(r.mac());
            if ((!arpOk || !fdbOk) && (addMissing || present)) {
                install.add(r);
            }
        }
        int vx = o.vxlanIndex();
        List<Request> stale = new ArrayList<>();
        Set<MacAddress> wantedMacs = new HashSet<>();
        desired.forEach(r -> wantedMacs.add(r.mac()));
        k.fdb().forEach((mac, dst) -> {
            if (!wantedMacs.contains(mac)) {
                stale.add(o.rtnl().fdb().deleteRequest(FdbEntry.toVtep(vx, mac, dst)));
            }
        });
        k.arp().forEach((ip, mac) -> {
            if (!byIp.containsKey(ip)) {
                stale.add(o.rtnl().neighbours().deleteRequest(vx, ip));
            }
        });
        install(o, install);
        if (!stale.isEmpty()) {
            o.rtnl().batch(stale);
        }
        int diffs = install.size() + stale.size();
        metrics.inc("reconcile_differences_total", diffs);
        metrics.inc("reconciles_total");
        return diffs;
    }
}
