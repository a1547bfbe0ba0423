package io.overlaynet.agent;

import io.overlaynet.agent.StoreRecords.Remote;
import io.overlaynet.netlink.codec.MacAddress;
import io.overlaynet.netlink.rtnl.Ip;
import io.overlaynet.store.Keys;
import io.overlaynet.store.Store;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store view keeps the hints addressed to its own host, whatever happens to other hosts' hints. */
class StoreViewHintsTest {
    private final StoreView view = new StoreView("node2", new Log("test", false), new Metrics());
    private final Remote fromNode1 = new Remote("demo", Ip.parse("12.12.12.2"), MacAddress.parse("02:42:0c:0c:0c:02"),
            "node1", Ip.parse("192.168.104.2"));
    private long revision;

    @Test
    void onlyHintsToThisHostCountAndOnlyTheirDeletionUndoesThem() {
        put(new Keys.Hint("node3", "node1", "demo").key());
        assertFalse(view.isHinted(fromNode1), "a hint to another host is not ours");

        put(new Keys.Hint("node2", "node1", "demo").key());
        assertTrue(view.isHinted(fromNode1));

        delete(new Keys.Hint("node3", "node1", "demo").key());
        assertTrue(view.isHinted(fromNode1), "another host's hint leaving keeps ours");

        delete(new Keys.Hint("node2", "node1", "demo").key());
        assertFalse(view.isHinted(fromNode1));
    }

    private void put(String key) {
        view.apply(new Store.Event.Put(new Store.Entry(key, "{}", ++revision)), new StoreView.Touched());
    }

    private void delete(String key) {
        view.apply(new Store.Event.Deleted(key, ++revision), new StoreView.Touched());
    }
}
