package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.RtEvent;
import io.overlaynet.store.Store;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member floods its host with misses for 10,000 distinct destinations in well under a second
 * (reactive mode): the store reads they cause stay within the limit's burst, the rest are counted as
 * limited, and a destination the view knows is still answered at once, flood or not.
 */
class MissFloodTest {
    @Test
    void aFloodOfUnknownDestinationsReadsTheStoreABoundedNumberOfTimes() throws Exception {
        AtomicInteger storeReads = new AtomicInteger();
        Store store = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[]{Store.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "scriptRecord", "scriptVtep" -> {
                        storeReads.incrementAndGet();
                        yield Optional.empty();
                    }
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Remote known = new Remote("demo", Ip.parse("12.12.12.3"), MacAddress.parse("02:42:0c:0c:0c:03"), "node2",
                Ip.parse("192.168.104.3"));
        AtomicInteger installs = new AtomicInteger();
        MissHandler.Answers answers = new MissHandler.Answers() {
            public Optional<Remote> byIp(String network, InetAddress ip) {
                return ip.equals(known.ip()) ? Optional.of(known) : Optional.empty();
            }

            public Optional<Remote> byMac(String network, MacAddress mac) {
                return Optional.empty();
            }

            public Optional<String> hostByVtep(InetAddress vtep) {
                return Optional.empty();
            }

            public void install(List<Step> steps) {
                installs.incrementAndGet();
            }

            public void answered(String host, String network) {
            }
        };
        Metrics metrics = new Metrics();
        try (MissHandler h = new MissHandler(answers, store, new Log("flood", false), metrics, new MissLimit(200, 1000))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                InetAddress dst = Ip.parse("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
                h.onEvent("demo", new RtEvent.L3Miss(3, dst));
                if (i % 1000 == 0) {
                    h.onEvent("demo", new RtEvent.L3Miss(3, known.ip())); // a real container's miss in the flood
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            // The bucket holds 200 and refills at 200/s: over the flood's duration at most that many reads.
            int bound = (int) (200 + 200 * seconds) + 1;
            assertTrue(storeReads.get() <= bound, storeReads.get() + " store reads for 10,000 misses in " + seconds
                    + " s; the limit allows " + bound);
            assertEquals(10_000 - storeReads.get(), metrics.counter("misses_limited_total"));
            assertEquals(10, installs.get(), "the known destination was answered every time");
            // The same flood again at once: every destination found nothing within the last second.
            int before = storeReads.get();
            for (int i = 0; i < 100; i++) {
                h.onEvent("demo", new RtEvent.L3Miss(3, Ip.parse("10.0.0." + i)));
            }
            assertTrue(storeReads.get() - before <= 1, "fruitless destinations are not read again at once");
        }
    }
}
