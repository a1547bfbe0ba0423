package io.overlaynet.store;

import io.overlaynet.lab.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract on a real etcd (Debian's etcd-server on 127.0.0.1, temporary data dir), plus compaction resync. */
class EtcdStoreTest extends StoreContract {
    private static EtcdProcess etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdProcess.start(1, Files.createTempDirectory("overlaynet-etcd-"));
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    protected Store openClient() {
        return new EtcdStore(etcd.clients());
    }

    @Test
    void aWatchResumingFromACompactedRevisionResyncsFully() throws Exception {
        EtcdStore s = (EtcdStore) client();
        s.put(ns + "a", "1");
        long rev = s.list(ns).revision();
        s.put(ns + "b", "2");
        s.delete(ns + "a");
        s.compact();
        BlockingQueue<Store.Event> events = new LinkedBlockingQueue<>();
        try (Store.Watch w = s.watch(ns, rev, events::add)) {
            Store.Event e = events.poll(10, TimeUnit.SECONDS);
            Store.Event.Reset reset = assertInstanceOf(Store.Event.Reset.class, e, "expected a resync, got " + e);
            assertEquals(1, reset.snapshot().entries().size());
            assertEquals(ns + "b", reset.snapshot().entries().getFirst().key());
            s.put(ns + "c", "3");
            Store.Event after = events.poll(10, TimeUnit.SECONDS);
            assertTrue(after instanceof Store.Event.Put p && p.entry().key().equals(ns + "c"), "then live: " + after);
        }
    }
}
