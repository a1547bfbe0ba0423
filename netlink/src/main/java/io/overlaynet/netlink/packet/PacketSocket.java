package io.overlaynet.netlink.packet;

import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A link-layer socket (AF_PACKET, SOCK_RAW) bound to one interface of a namespace, for sending whole
 * Ethernet frames out of it, as {@code arping} does. Opened on a thread inside the namespace; the
 * socket stays bound there.
 */
public final class PacketSocket implements AutoCloseable {
    /** ETH_P_ARP. */
    public static final int ETH_P_ARP = 0x0806;
    private static final int SOCK_RAW = 3;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(1600, 8);

    private PacketSocket(int fd) {
        this.fd = fd;
    }

    /** A socket on interface {@code ifindex} of {@code ns}, for frames of {@code protocol} (e.g. {@link #ETH_P_ARP}). */
    public static PacketSocket open(NetNs ns, int ifindex, int protocol) {
        return ns.call(() -> {
            int fd = Libc.socket(Libc.AF_PACKET, SOCK_RAW | Libc.SOCK_CLOEXEC, Short.toUnsignedInt(Short.reverseBytes((short) protocol)));
            try {
                Libc.bindPacket(fd, protocol, ifindex);
                return new PacketSocket(fd);
            } catch (RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        });
    }

    /** Sends one frame (destination MAC first) out of the interface. */
    public synchronized void send(byte[] frame) {
        if (frame.length > buffer.byteSize()) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes is larger than 1600");
        }
        MemorySegment.copy(frame, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, frame.length);
        Libc.send(fd, buffer, frame.length, 0);
    }

    @Override
    public synchronized void close() {
        Libc.close(fd);
        arena.close();
    }
}
