package io.overlaynet.netlink.packet;

import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

/**
 * A link-layer socket (AF_PACKET, SOCK_RAW) bound to one interface of a namespace, for sending whole
 * Ethernet frames out of it, as {@code arping} does. Opened on a thread inside the namespace; the
 * socket stays bound there.
 */
public final class PacketSocket implements AutoCloseable {
    /** ETH_P_ARP. */
    public static final int ETH_P_ARP = 0x0806;
    /** ETH_P_IP. */
    public static final int ETH_P_IP = 0x0800;
    /** ETH_P_ALL: every frame the interface sends or receives. */
    public static final int ETH_P_ALL = 0x0003;
    private static final int CAPTURE_BYTES = 65_536 + 128;
    private static final int SOCK_RAW = 3;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(1600, 8);
    private MemorySegment captureBuffer;

    private PacketSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Waits up to {@code timeout} for the next frame on the interface, in either direction (as tcpdump
     * sees them: an outgoing frame before segmentation can be larger than the MTU). Empty on timeout;
     * a frame larger than 64 KiB is cut there.
     */
    public Optional<byte[]> receive(Duration timeout) {
        MemorySegment buf;
        synchronized (this) {
            if (captureBuffer == null) {
                captureBuffer = arena.allocate(CAPTURE_BYTES, 8);
            }
            buf = captureBuffer;
        }
        long micros = Math.max(1_000, timeout.toNanos() / 1_000);
        Libc.setReceiveTimeout(fd, micros);
        long n;
        try {
            n = Libc.recv(fd, buf, 0);
        } catch (RuntimeException timedOut) {
            return Optional.empty(); // EAGAIN after the receive timeout, or EINTR
        }
        return Optional.of(buf.asSlice(0, Math.min(n, buf.byteSize())).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
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
