package io.overlaynet.bench;

import io.overlaynet.lab.Lab;
import io.overlaynet.lab.LabRecord;
import io.overlaynet.lab.LabRecord.LabHost;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.Neighbour;
import io.overlaynet.netlink.rtnl.Rtnl;
import io.overlaynet.store.Store;
import io.overlaynet.store.Stores;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * A benchmark's lab with agents: built on a {@link Scratch} prefix, torn down with it. Store calls run
 * inside the underlay namespace, where the lab's etcd listens (the client's network threads are born
 * there and stay there).
 */
final class AgentLab implements AutoCloseable {
    final Scratch scratch;
    final Lab lab;
    final LabRecord rec;
    private final NetNs underlay;
    private final Store store;

    AgentLab(String kind, int hosts, boolean reactive, String storeKind, PrintStream out) {
        scratch = new Scratch(kind);
        try {
            lab = new Lab(scratch.prefix() + "-", scratch.dir(), out);
            rec = lab.upWithAgents(hosts, reactive, storeKind);
            underlay = NetNs.named(rec.underlayNamespace());
            store = underlay.call(() -> Stores.open(rec.store()));
        } catch (RuntimeException e) {
            scratch.close();
            throw e;
        }
    }

    /** Runs a store operation where the store is reachable. */
    <T> T store(java.util.function.Function<Store, T> op) {
        return underlay.call(() -> op.apply(store));
    }

    LabHost host(int i) {
        return rec.hosts().get(i);
    }

    static long permanentCount(Rtnl overlay, int vxlan) {
        return overlay.neighbours().list(vxlan).stream().filter(Neighbour::isPermanent).count();
    }

    static <T> T unchecked(Callable<T> c) {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if ("1".equals(System.getenv("OVERLAYNET_BENCH_LOGS"))) {
            for (LabHost h : rec.hosts()) {
                try {
                    System.out.println("--- agent log of " + h.name());
                    System.out.print(java.nio.file.Files.readString(lab.agentLog(h)));
                } catch (java.io.IOException e) {
                    System.out.println("(no log: " + e.getMessage() + ")");
                }
            }
        }
        try {
            underlay.call(() -> {
                store.close();
                return null;
            });
        } catch (RuntimeException ignored) {
            // tearing down anyway
        }
        underlay.close();
        try {
            lab.down();
        } finally {
            scratch.close();
        }
    }
}
