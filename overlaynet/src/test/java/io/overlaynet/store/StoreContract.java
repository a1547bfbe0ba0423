package io.overlaynet.store;

import io.overlaynet.ipam.Ipam;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One contract, every store: subclasses only say how to open one (several clients on the same data). */
abstract class StoreContract {
    protected String ns;
    private final List<Store> opened = new ArrayList<>();

    /** A new client on the same store as every other call in this test. */
    protected abstract Store openClient();

    protected Store client() {
        Store s = openClient();
        opened.add(s);
        return s;
    }

    @BeforeEach
    void unique() {
        ns = "/overlaynet/t" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)) + "/";
    }

    @AfterEach
    void closeClients() {
        opened.forEach(Store::close);
    }

    @Test
    void putGetListDelete() {
        Store s = client();
        s.put(ns + "a", "{\"x\":1}");
        s.put(ns + "b/c", "two");
        assertEquals("{\"x\":1}", s.get(ns + "a").orElseThrow().value());
        assertEquals(List.of(ns + "a", ns + "b/c"), s.list(ns).entries().stream().map(Store.Entry::key).sorted().toList());
        s.put(ns + "a", "changed");
        assertEquals("changed", client().get(ns + "a").orElseThrow().value());
        assertTrue(s.delete(ns + "a"));
        assertFalse(s.delete(ns + "a"));
        assertTrue(s.get(ns + "a").isEmpty());
    }

    @Test
    void createOnlyIfAbsent() {
        Store s = client();
        assertTrue(s.create(ns + "k", "first", Optional.empty()));
        assertFalse(client().create(ns + "k", "second", Optional.empty()));
        assertEquals("first", s.get(ns + "k").orElseThrow().value());
    }

    @Test
    void watchStartsWithTheStateThenDeliversChangesInOrder() throws Exception {
        Store s = client();
        s.put(ns + "before", "1");
        BlockingQueue<Store.Event> events = new LinkedBlockingQueue<>();
        try (Store.Watch w = client().watch(ns, 0, events::add)) {
            Store.Event.Reset first = assertInstanceOf(Store.Event.Reset.class, events.poll(5, TimeUnit.SECONDS));
            assertEquals(List.of(ns + "before"), first.snapshot().entries().stream().map(Store.Entry::key).toList());
            s.put(ns + "x", "1");
            Store.Event.Put put = assertInstanceOf(Store.Event.Put.class, next(events));
            assertEquals(ns + "x", put.entry().key());
            assertEquals("1", put.entry().value());
            s.delete(ns + "x");
            Store.Event.Deleted del = assertInstanceOf(Store.Event.Deleted.class, next(events));
            assertEquals(ns + "x", del.key());
        }
    }

    private static Store.Event next(BlockingQueue<Store.Event> q) throws InterruptedException {
        Store.Event e = q.poll(5, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 5 s");
        return e;
    }

    @Test
    void leaseKeysVanishOnRevokeAndOnExpiry() throws Exception {
        Store s = client();
        Store.Lease revoked = s.grant(Duration.ofSeconds(5));
        s.put(ns + "r", "v", revoked);
        revoked.revoke();
        assertTrue(s.get(ns + "r").isEmpty(), "revoked lease's key must be gone");

        BlockingQueue<Store.Event> events = new LinkedBlockingQueue<>();
        try (Store.Watch w = client().watch(ns, 0, events::add)) {
            Store.Lease dying = s.grant(Duration.ofSeconds(2));
            assertTrue(s.create(ns + "e", "v", Optional.of(dying)));
            dying.close(); // stop keep-alives: it must expire on its own
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (s.get(ns + "e").isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(s.get(ns + "e").isEmpty(), "expired lease's key must be deleted");
            // The watch reports on its own thread, so the delete may reach it a moment after get() sees it.
            List<Store.Event> seen = new ArrayList<>();
            boolean reported = false;
            long eventDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!reported && System.nanoTime() < eventDeadline) {
                Store.Event e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    seen.add(e);
                    reported = e instanceof Store.Event.Deleted d && d.key().equals(ns + "e");
                }
            }
            assertTrue(reported, "the watch must report the expiry as a delete within 5 s: " + seen);
        }
    }

    @Test
    void aRevokedLeaseTakesNoMoreKeys() {
        Store s = client();
        Store.Lease l = s.grant(Duration.ofSeconds(5));
        l.revoke();
        StoreException e = assertThrows(StoreException.class, () -> s.put(ns + "late", "v", l));
        assertTrue(e.getMessage().contains("lease not found"), e.getMessage());
        assertThrows(StoreException.class, () -> s.create(ns + "late", "v", Optional.of(l)));
        assertTrue(s.get(ns + "late").isEmpty(), "nothing is written under a revoked lease");
    }

    @Test
    void aLiveLeaseCanBeResumedAfterARestart() throws Exception {
        Store first = client();
        Store.Lease l = first.grant(Duration.ofSeconds(4));
        first.put(ns + "host", "me", l);
        l.close(); // the agent died
        Store second = client();
        Store.Lease again = second.resume(l.id(), Duration.ofSeconds(4)).orElseThrow();
        Thread.sleep(5000);
        assertTrue(second.get(ns + "host").isPresent(), "a resumed lease keeps its keys alive");
        again.revoke();
        assertTrue(second.resume(l.id(), Duration.ofSeconds(4)).isEmpty());
    }

    @Test
    void parallelAllocatorsNeverHandOutTheSameAddress() throws Exception {
        String network = Keys.leaf(ns.substring(0, ns.length() - 1));
        IpPrefix subnet = IpPrefix.parse("10.77.0.0/26");
        InetAddress gw = Ip.parse("10.77.0.1");
        int allocators = 4;
        int each = 15;
        List<Future<List<String>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(allocators)) {
            for (int a = 0; a < allocators; a++) {
                int me = a;
                results.add(pool.submit(() -> {
                    Ipam ipam = new Ipam(client());
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(ipam.allocate(network, subnet, gw, Optional.empty(),
                                ip -> "{\"host\":\"h" + me + "\"}", Optional.empty()).getHostAddress());
                    }
                    return mine;
                }));
            }
            Set<String> all = new HashSet<>();
            int total = 0;
            for (Future<List<String>> f : results) {
                for (String ip : f.get(60, TimeUnit.SECONDS)) {
                    total++;
                    assertTrue(all.add(ip), "handed out twice: " + ip);
                    assertFalse(ip.equals("10.77.0.0") || ip.equals("10.77.0.1") || ip.equals("10.77.0.63"), ip);
                }
            }
            assertEquals(allocators * each, total);
        }
        Ipam ipam = new Ipam(client());
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class, () -> ipam.allocate(network,
                subnet, gw, Optional.of(Ip.parse("10.77.0.2")), ip -> "{}", Optional.empty()));
        assertTrue(taken.getMessage().contains("already taken"), taken.getMessage());
        assertTrue(ipam.release(network, Ip.parse("10.77.0.2")));
        assertEquals("10.77.0.2", ipam.allocate(network, subnet, gw, Optional.empty(), ip -> "{}", Optional.empty())
                .getHostAddress());
        for (String k : List.of("/overlaynet/endpoints/" + network + "/")) {
            client().list(k).entries().forEach(e -> client().delete(e.key()));
        }
    }
}
