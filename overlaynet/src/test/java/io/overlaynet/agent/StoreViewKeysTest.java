package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.HostInfo;
import io.overlaynet.dataplane.WireGuard;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An encrypting agent's view of the other hosts' WireGuard keys: the first key of a host is taken, a
 * different one is refused unless its record says it was re-keyed (a higher epoch), a host that does
 * not encrypt is no peer at all, and a host that leaves is no peer any more.
 */
class StoreViewKeysTest {
    private final Metrics metrics = new Metrics();
    private final StoreView view = new StoreView("node1", new Log("test", false), metrics);
    private long revision;

    @Test
    void aKeyChangeIsRefusedUnlessTheHostWasReKeyed() {
        view.encrypting();
        put("node2", key(1), 0);
        assertEquals(List.of(key(1)), keys());

        put("node2", key(2), 0); // the same epoch: whoever wrote it, it is not a re-key
        assertEquals(List.of(key(1)), keys(), "a changed key without a re-key is refused");
        assertEquals(1, metrics.counter("refused_keys_total"));

        put("node2", key(3), 1);
        assertEquals(List.of(key(3)), keys(), "a re-keyed host's new key is taken");

        view.apply(new Store.Event.Put(new Store.Entry(Keys.host("node3"), StoreRecords.json(new HostInfo("node3",
                "192.168.104.4", "02:00:00:00:00:04")), ++revision)), new StoreView.Touched());
        assertEquals(List.of(key(3)), keys(), "a host that does not encrypt is no peer");
        assertEquals(java.util.Set.of(ip(2)), view.memberVteps().stream().map(a -> a.getHostAddress())
                .collect(java.util.stream.Collectors.toSet()), "nor a member");

        view.apply(new Store.Event.Deleted(Keys.host("node2"), ++revision), new StoreView.Touched());
        assertEquals(List.of(), keys());
    }

    private List<String> keys() {
        return view.tunnelPeers().stream().map(WireGuard.Peer::publicKey).toList();
    }

    private void put(String host, String key, int epoch) {
        HostInfo h = new HostInfo(host, ip(2), "02:00:00:00:00:02", null, null, key, "192.168.104.3", epoch);
        view.apply(new Store.Event.Put(new Store.Entry(Keys.host(host), StoreRecords.json(h), ++revision)),
                new StoreView.Touched());
    }

    private static String ip(int i) {
        return "100.64.104." + i;
    }

    private static String key(int n) {
        byte[] k = new byte[32];
        k[0] = (byte) n;
        return Base64.getEncoder().encodeToString(k);
    }
}
