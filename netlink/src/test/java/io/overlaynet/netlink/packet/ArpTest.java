package io.overlaynet.netlink.packet;

import io.overlaynet.netlink.codec.MacAddress;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ARP reply's bytes, field by field (no root needed). */
class ArpTest {
    @Test
    void anAnnouncingReplyIsABroadcastArpReplyFromTheAddress() throws Exception {
        byte[] f = Arp.announceReply(MacAddress.parse("02:42:0c:0c:0c:03"), (Inet4Address) InetAddress.getByName("12.12.12.3"));
        assertEquals("ffffffffffff" + "02420c0c0c03" + "0806"          // Ethernet: broadcast, from the MAC, ARP
                + "0001" + "0800" + "06" + "04" + "0002"               // Ethernet/IPv4, lengths, op 2 (reply)
                + "02420c0c0c03" + "0c0c0c03"                          // sender: the MAC and IP being announced
                + "ffffffffffff" + "0c0c0c03", HexFormat.of().formatHex(f));
    }
}
