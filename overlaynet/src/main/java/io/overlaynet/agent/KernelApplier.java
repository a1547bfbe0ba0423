package io.overlaynet.agent;

import io.overlaynet.dataplane.Overlay;
import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.rtnl.FdbEntry;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.socket.BatchResult;
import io.overlaynet.netlink.socket.Request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Applies a plan to the kernel: each network's entry steps become one pipelined netlink batch in the
 * network's overlay namespace (in the plan's order; the kernel handles a batch's messages in order),
 * and a removed network is handed to whoever removes networks.
 */
final class KernelApplier implements Applier {
    private final Function<String, Overlay> overlays;
    private final Consumer<String> removeNetwork;
    private final Consumer<Step.ForgetInContainers> forget;
    private final Metrics metrics;

    /**
     * @param overlays      the overlay namespace of a network on this host
     * @param removeNetwork removes a network's endpoints and overlay namespace
     * @param forget        deletes an IP's neighbour entry in the network's containers on this host
     */
    KernelApplier(Function<String, Overlay> overlays, Consumer<String> removeNetwork,
                  Consumer<Step.ForgetInContainers> forget, Metrics metrics) {
        this.overlays = overlays;
        this.removeNetwork = removeNetwork;
        this.forget = forget;
        this.metrics = metrics;
    }

    @Override
    public int apply(Plan plan) {
        Map<String, List<Step>> byNetwork = new LinkedHashMap<>();
        plan.steps().forEach(s -> byNetwork.computeIfAbsent(s.network(), n -> new ArrayList<>()).add(s));
        int done = 0;
        RuntimeException first = null;
        for (Map.Entry<String, List<Step>> e : byNetwork.entrySet()) {
            try {
                done += network(e.getKey(), e.getValue());
            } catch (RuntimeException failed) {
                if (first == null) {
                    first = failed;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return done;
    }

    private int network(String network, List<Step> steps) {
        if (steps.stream().anyMatch(s -> s instanceof Step.RemoveNetwork)) {
            removeNetwork.accept(network);
            return 1;
        }
        Overlay o = overlays.apply(network);
        int vx = o.vxlanIndex();
        List<Step> entries = new ArrayList<>(steps.size());
        List<Request> reqs = new ArrayList<>(steps.size());
        for (Step s : steps) {
            Request r = switch (s) {
                case Step.PutFdb p -> o.rtnl().fdb().replaceRequest(FdbEntry.toVtep(vx, p.mac(), p.vtep()));
                case Step.PutArp p -> o.rtnl().neighbours().replaceRequest(Neighbour.permanent(vx, p.ip(), p.mac()));
                case Step.DelArp d -> o.rtnl().neighbours().deleteRequest(vx, d.ip());
                case Step.DelFdb d -> o.rtnl().fdb().deleteRequest(FdbEntry.toVtep(vx, d.mac(), d.vtep()));
                case Step.ForgetInContainers f -> null; // after the overlay's entries, below
                case Step.RemoveNetwork gone -> throw new IllegalStateException("handled above");
            };
            if (r != null) {
                entries.add(s);
                reqs.add(r);
            }
        }
        BatchResult res = o.rtnl().batch(reqs);
        List<BatchResult.Failure> real = res.failures().stream()
                .filter(f -> !(f.error() instanceof NetlinkException.NotFound && isDelete(entries.get(f.index())))).toList();
        long puts = entries.stream().filter(s -> s instanceof Step.PutArp || s instanceof Step.PutFdb).count();
        metrics.inc("entries_programmed_total", puts - real.size());
        steps.stream().filter(s -> s instanceof Step.ForgetInContainers).forEach(s -> forget.accept((Step.ForgetInContainers) s));
        new BatchResult(res.sent(), real, List.of()).throwIfFailed();
        return steps.size() - real.size();
    }

    private static boolean isDelete(Step s) {
        return s instanceof Step.DelArp || s instanceof Step.DelFdb;
    }
}
