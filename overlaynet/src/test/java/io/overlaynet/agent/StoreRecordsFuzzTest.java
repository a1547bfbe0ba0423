package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.netlink.rtnl.IpPrefix;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile store records: whatever another writer of the store puts there (random JSON, and the
 * adversarial cases by name: a gateway-IP hijack, a multicast VTEP, a zero MAC, huge values), the
 * agent's view of the store never throws, and never wants a kernel entry that is not a unicast MAC at a
 * unicast VTEP for an ordinary address of its network's subnet. Each bad key counts once.
 */
class StoreRecordsFuzzTest {
    private static final String GOOD_NETWORK = "{\"name\":\"demo\",\"vni\":42,\"subnet\":\"12.12.12.0/24\","
            + "\"gateway\":\"12.12.12.1\",\"mtu\":1450,\"port\":4789}";
    private static final String GOOD_HOST = "{\"name\":\"node1\",\"vtep\":\"192.168.104.2\",\"mac\":\"02:00:00:00:00:01\"}";

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.of("12.12.12.1", "12.12.12.0", "12.12.12.255", "12.12.12.7", "239.1.1.1", "0.0.0.0",
                        "255.255.255.255", "127.0.0.1", "::1", "fe80::1", "192.168.104.3", "1.2.3", "", "node1", "demo",
                        "00:00:00:00:00:00", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "02:42:0c:0c:0c:07", "zz:zz",
                        "12.12.12.0/24", "0.0.0.0/0", "12.12.12.0/33", "x".repeat(5000)),
                Arbitraries.strings().ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> value() {
        Arbitrary<String> number = Arbitraries.of("0", "-1", "42", "16777216", "2147483647", "-2147483648",
                "99999999999999999999", "1e308", "4789", "65536", "1.5", "null", "true");
        Arbitrary<String> quoted = text().map(t -> "\"" + t.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return Arbitraries.oneOf(number, quoted, Arbitraries.of("{}", "[]", "{\"a\":[1,{}]}"));
    }

    @Provide
    Arbitrary<String> record() {
        List<String> fields = List.of("name", "vni", "subnet", "gateway", "mtu", "port", "udpCsum", "egress", "vtep",
                "mac", "host", "lease", "version", "extra");
        Arbitrary<String> object = Combinators.combine(Arbitraries.of(fields).list().ofMaxSize(8).uniqueElements(),
                value().list().ofSize(8)).as((names, values) -> {
                    StringBuilder b = new StringBuilder("{");
                    for (int i = 0; i < names.size(); i++) {
                        b.append(i == 0 ? "" : ",").append('"').append(names.get(i)).append("\":").append(values.get(i));
                    }
                    return b.append('}').toString();
                });
        return Arbitraries.oneOf(object, object, Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of("", "null", "[1,2]", "{", "\"x\"", "{\"vni\":{\"$ref\":1}}"));
    }

    @Provide
    Arbitrary<String> key() {
        return Arbitraries.oneOf(
                text().map(Keys::network),
                text().map(Keys::host),
                text().map(ip -> Keys.endpoint("demo", ip)),
                text().map(ip -> Keys.endpoints(ip) + "12.12.12.9"));
    }

    @Property(tries = 3000, seed = "20261204")
    void noRecordCrashesTheViewOrReachesTheKernelUnchecked(@ForAll("key") String key, @ForAll("record") String json) {
        StoreView view = new StoreView("node9", new Log("fuzz", false), new Metrics());
        long rev = 0;
        view.apply(new Store.Event.Put(new Store.Entry(Keys.network("demo"), GOOD_NETWORK, ++rev)), new StoreView.Touched());
        view.apply(new Store.Event.Put(new Store.Entry(Keys.host("node1"), GOOD_HOST, ++rev)), new StoreView.Touched());
        try {
            view.apply(new Store.Event.Put(new Store.Entry(key, json, ++rev)), new StoreView.Touched());
            view.apply(new Store.Event.Put(new Store.Entry(Keys.endpoint("demo", "12.12.12.9"), json, ++rev)),
                    new StoreView.Touched());
            checkWanted(view);
        } catch (RuntimeException e) {
            fail("record " + json + " at " + key + " threw " + e, e);
        }
    }

    /** The adversarial cases by name: each refused, counted once, and nothing of it wanted in the kernel. */
    @Test
    void gatewayHijackMulticastVtepZeroMacAndHugeValuesAreRefused() {
        Metrics metrics = new Metrics();
        StoreView view = new StoreView("node9", new Log("fuzz", false), metrics);
        long rev = 0;
        view.apply(new Store.Event.Put(new Store.Entry(Keys.network("demo"), GOOD_NETWORK, ++rev)), new StoreView.Touched());
        view.apply(new Store.Event.Put(new Store.Entry(Keys.host("node1"), GOOD_HOST, ++rev)), new StoreView.Touched());
        Map<String, String> bad = Map.of(
                Keys.endpoint("demo", "12.12.12.1"), endpoint("02:42:0c:0c:0c:01", "192.168.104.2"), // the gateway
                Keys.endpoint("demo", "12.12.12.0"), endpoint("02:42:0c:0c:0c:10", "192.168.104.2"), // network address
                Keys.endpoint("demo", "12.12.12.255"), endpoint("02:42:0c:0c:0c:11", "192.168.104.2"), // broadcast
                Keys.endpoint("demo", "12.12.12.20"), endpoint("02:42:0c:0c:0c:14", "239.1.1.1"), // multicast VTEP
                Keys.endpoint("demo", "12.12.12.21"), endpoint("00:00:00:00:00:00", "192.168.104.2"), // zero MAC
                Keys.network("huge"), GOOD_NETWORK.replace("\"vni\":42", "\"vni\":2147483647").replace("demo", "huge"),
                Keys.network("wide"), GOOD_NETWORK.replace("\"mtu\":1450", "\"mtu\":99999").replace("demo", "wide"),
                Keys.host("evil"), "{\"name\":\"evil\",\"vtep\":\"224.0.0.1\",\"mac\":\"02:00:00:00:00:02\"}");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            view.apply(new Store.Event.Put(new Store.Entry(e.getKey(), e.getValue(), ++rev)), new StoreView.Touched());
            view.apply(new Store.Event.Put(new Store.Entry(e.getKey(), e.getValue(), ++rev)), new StoreView.Touched());
        }
        assertTrue(view.remotes("demo").isEmpty(), "nothing of them is wanted: " + view.remotes("demo"));
        assertEquals(List.of("demo"), view.networks().stream().map(StoreRecords.NetworkSpec::name).toList());
        assertEquals(2 * bad.size(), metrics.counter("bad_records_total"), "each bad put counted");
        checkWanted(view);
    }

    private static String endpoint(String mac, String vtep) {
        return "{\"name\":\"x\",\"mac\":\"" + mac + "\",\"host\":\"node1\",\"vtep\":\"" + vtep + "\"}";
    }

    /** Every entry the view wants in the kernel is an ordinary unicast one. */
    private static void checkWanted(StoreView view) {
        for (StoreRecords.NetworkSpec n : view.networks()) {
            IpPrefix subnet = IpPrefix.parse(n.subnet());
            InetAddress gateway = Ip.parse(n.gateway());
            for (Remote r : view.remotes(n.name())) {
                assertTrue(r.ip() instanceof Inet4Address && subnet.contains(r.ip()), r.toString());
                assertFalse(r.ip().equals(gateway), "gateway hijack wanted: " + r);
                assertFalse(r.mac().isZero() || r.mac().isMulticast(), r.toString());
                assertTrue(r.vtep() instanceof Inet4Address && !r.vtep().isMulticastAddress()
                        && !r.vtep().isAnyLocalAddress() && !r.vtep().isLoopbackAddress(), r.toString());
            }
        }
        view.desired(false);
    }
}
