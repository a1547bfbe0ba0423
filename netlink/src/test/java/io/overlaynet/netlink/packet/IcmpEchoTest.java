package io.overlaynet.netlink.packet;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The echo request's checksum and the reply's recognition, on bytes (no root needed). */
class IcmpEchoTest {
    @Test
    void aRequestChecksumsToZeroAndOnlyOurReplyIsTaken() throws Exception {
        byte[] req = IcmpEcho.request(0x1234, 1);
        assertEquals(8, req[0]);
        assertEquals(0, IcmpEcho.checksum(req), "a packet with its checksum in place sums to zero");
        Inet4Address from = (Inet4Address) InetAddress.getByName("12.12.12.3");
        byte[] reply = new byte[20 + req.length];
        reply[0] = 0x45;
        System.arraycopy(from.getAddress(), 0, reply, 12, 4);
        System.arraycopy(req, 0, reply, 20, req.length);
        reply[20] = 0; // echo reply
        assertTrue(IcmpEcho.isReply(reply, from, 0x1234));
        assertFalse(IcmpEcho.isReply(reply, from, 0x1235), "another probe's id");
        assertFalse(IcmpEcho.isReply(reply, (Inet4Address) InetAddress.getByName("12.12.12.4"), 0x1234), "another sender");
    }
}
