package io.overlaynet.agent;

import io.overlaynet.dataplane.Mode;
import io.overlaynet.dataplane.Records.NetworkRecord;
import io.overlaynet.state.LocalState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records written before a field existed still read, with that field at its default. */
class StoreRecordsTest {
    @Test
    void aNetworkSpecWithoutUdpCsumReadsAsOff() {
        StoreRecords.NetworkSpec old = StoreRecords.parse(
                "{\"name\":\"demo\",\"vni\":42,\"subnet\":\"12.12.12.0/24\",\"gateway\":\"12.12.12.1\",\"mtu\":1450,\"port\":4789}",
                StoreRecords.NetworkSpec.class);
        assertFalse(old.udpCsum());
        assertFalse(old.config(new Mode.Static()).udpCsum());
        StoreRecords.NetworkSpec on = StoreRecords.parse(StoreRecords.json(
                new StoreRecords.NetworkSpec("demo", 42, "12.12.12.0/24", "12.12.12.1", 1450, 4789, true)),
                StoreRecords.NetworkSpec.class);
        assertTrue(on.config(new Mode.Static()).udpCsum(), "the setting survives the round trip");
    }

    @Test
    void aLocalNetworkRecordWithoutUdpCsumReadsAsOff() throws Exception {
        NetworkRecord r = LocalState.JSON.readValue("""
                {"name":"demo","vni":42,"subnet":"12.12.12.0/24","gateway":"12.12.12.1","mtu":1450,"port":4789,
                 "mode":"static","bridge":null,"underlay":"eth1","vtep":"192.168.104.2",
                 "overlayNamespace":"h1-ovl-demo","vxlanDevice":"vxlan1"}""", NetworkRecord.class);
        assertEquals("vxlan1", r.vxlanDevice());
        assertFalse(r.udpCsum());
    }
}
