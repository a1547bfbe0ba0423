package io.overlaynet.netlink.packet;

import io.overlaynet.netlink.codec.MacAddress;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/** ARP frames (RFC 826) over Ethernet, built byte by byte. */
public final class Arp {
    private Arp() {
    }

    /**
     * An ARP reply telling every host on the segment that {@code ip} is at {@code mac}, broadcast: what
     * settles the pending resolutions of {@code ip} at once (the kernel takes a reply for an address it
     * is resolving), where the asker would otherwise wait for its retransmit timer.
     */
    public static byte[] announceReply(MacAddress mac, Inet4Address ip) {
        ByteBuffer b = ByteBuffer.allocate(42); // Ethernet 14 + ARP 28
        byte[] m = mac.bytes();
        b.put(new byte[]{-1, -1, -1, -1, -1, -1}).put(m).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        b.put(m).put(ip.getAddress());
        b.put(new byte[]{-1, -1, -1, -1, -1, -1}).put(ip.getAddress());
        return b.array();
    }
}
