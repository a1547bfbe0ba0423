package io.overlaynet.netlink.socket;

import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.sys.Errno;
import io.overlaynet.netlink.sys.Libc;
import io.overlaynet.netlink.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A raw AF_NETLINK socket. It belongs to the network namespace of the thread that opened it, for its
 * whole life. Not thread-safe: one user at a time ({@link NetlinkConnection} serialises).
 *
 * <p>Send and receive go through native buffers owned by the socket, so a batch of thousands of
 * messages costs one copy and one system call per chunk.
 */
public final class NetlinkSocket implements AutoCloseable {
    /** Large enough for any dump datagram: the kernel caps those at 32 KiB. */
    private static final int RECEIVE_BUFFER = 64 * 1024;

    /** Room for the first datagram to send; it grows when a batch needs more. */
    private static final int SEND_BUFFER = 8 * 1024;
    /**
     * Receive buffers of closed sockets, handed to the next socket: a fresh 64 KiB buffer costs a
     * zeroing pass and page faults on first touch (~0.2-0.4 ms here), per short-lived handle.
     */
    private static final BlockingQueue<MemorySegment> SPARE = new ArrayBlockingQueue<>(16);

    private final int fd;
    private final int portId;
    // An automatic arena: buffers are freed by the GC. Closing a shared arena costs a handshake with
    // every thread, which dominated short-lived handles.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment receiveBuffer = spareOrNew();
    private MemorySegment sendBuffer = arena.allocate(SEND_BUFFER, 8);
    private volatile boolean closed;
    // Set around the receive system call: a buffer the kernel may still write into is never handed on.
    private volatile boolean receiving;

    private NetlinkSocket(int fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /**
     * Opens and binds a socket of a netlink protocol in the calling thread's namespace, with extended
     * ACKs and capped ACKs (errors do not echo the whole request back).
     */
    public static NetlinkSocket open(int protocol) {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        try {
            Libc.setsockopt(fd, Libc.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1);
            Libc.setsockopt(fd, Libc.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1);
            Libc.bindNetlink(fd, 0, 0);
            return new NetlinkSocket(fd, Libc.netlinkPortId(fd));
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    public int portId() {
        return portId;
    }

    /** Sets SO_RCVBUF, forcing past the system limit when allowed (root), else as far as allowed. */
    public void receiveBufferSize(int bytes) {
        forceBuffer(Libc.SO_RCVBUFFORCE, Libc.SO_RCVBUF, bytes);
    }

    public void sendBufferSize(int bytes) {
        forceBuffer(Libc.SO_SNDBUFFORCE, Libc.SO_SNDBUF, bytes);
    }

    private void forceBuffer(int forced, int plain, int bytes) {
        try {
            Libc.setsockopt(fd, Libc.SOL_SOCKET, forced, bytes);
        } catch (SysException e) {
            Libc.setsockopt(fd, Libc.SOL_SOCKET, plain, bytes);
        }
    }

    /** Receive calls give up after this long with a {@link ReceiveTimeoutException}. */
    public void receiveTimeout(Duration timeout) {
        Libc.setReceiveTimeout(fd, Math.max(1, timeout.toNanos() / 1000));
    }

    /** Subscribes to a multicast group (an RTNLGRP_* number, not a bit mask). */
    public void joinGroup(int group) {
        Libc.setsockopt(fd, Libc.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group);
    }

    /** Sends the buffer's remaining bytes (one or more whole messages) to the kernel in one datagram. */
    public void send(ByteBuffer messages) {
        int length = messages.remaining();
        if (sendBuffer.byteSize() < length) {
            sendBuffer = arena.allocate(Math.max(length, sendBuffer.byteSize() * 2), 8);
        }
        MemorySegment.copy(MemorySegment.ofBuffer(messages), 0, sendBuffer, 0, length);
        Libc.send(fd, sendBuffer, length, 0);
    }

    /**
     * Receives one datagram. The returned buffer is a view of the socket's native buffer and is valid
     * until the next receive.
     *
     * @throws ReceiveTimeoutException when nothing arrived within the receive timeout
     */
    public ByteBuffer receive() {
        long n;
        receiving = true;
        try {
            if (closed) {
                throw new IllegalStateException("netlink socket is closed");
            }
            n = Libc.recv(fd, receiveBuffer, Libc.MSG_TRUNC);
        } catch (SysException e) {
            if (e.errno() == Errno.EAGAIN) {
                throw new ReceiveTimeoutException();
            }
            throw e;
        } finally {
            receiving = false;
        }
        if (n > RECEIVE_BUFFER) {
            throw new IllegalStateException("netlink datagram of " + n + " bytes exceeds the "
                    + RECEIVE_BUFFER + "-byte receive buffer");
        }
        return receiveBuffer.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd);
        // A receive on another thread (an event loop being stopped) keeps its buffer: the kernel could
        // still write into it. Both flags are volatile, so one side always sees the other.
        if (!receiving) {
            SPARE.offer(receiveBuffer); // dropped when 16 are spare already
        }
    }

    private static MemorySegment spareOrNew() {
        MemorySegment spare = SPARE.poll();
        if (spare != null) {
            return spare;
        }
        // Owned by no socket's arena: a spare outlives the socket that made it.
        return Arena.ofAuto().allocate(RECEIVE_BUFFER, 8);
    }

    /** Nothing arrived within the receive timeout. */
    public static final class ReceiveTimeoutException extends RuntimeException {
        ReceiveTimeoutException() {
            super("netlink receive timed out", null, false, false);
        }
    }
}
