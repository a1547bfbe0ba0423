package io.overlaynet.netlink.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls overlaynet needs, bound with the Foreign Function &amp; Memory API.
 *
 * <p>This is the only class in the project that touches FFM. Each method is a thin wrapper that
 * returns the C result and throws {@link SysException} carrying {@code errno} when the call fails,
 * so callers above this line deal in Java values and exceptions only.
 */
public final class Libc {
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SOL_NETLINK = 270;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_PEEK = 0x02;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int AT_FDCWD = -100;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static final MethodHandle SOCKET = bind("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = bind("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle CONNECT = bind("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = bind("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT =
            bind("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SEND = bind("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECV = bind("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle CLOSE = bind("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle SETNS = bind("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle UNSHARE = bind("unshare", JAVA_INT, JAVA_INT);
    private static final MethodHandle MOUNT = bind("mount", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle UMOUNT2 = bind("umount2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LINKAT = bind("linkat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle OPEN = LINKER.downcallHandle(
            LOOKUP.find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO, Linker.Option.firstVariadicArg(2));

    private Libc() {
    }

    private static MethodHandle bind(String name, ValueLayout result, MemoryLayout... args) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(result, args), ERRNO);
    }

    private static int errno() {
        return (int) ERRNO_HANDLE.get(STATE.get(), 0L);
    }

    private static int check(String call, int rc) {
        if (rc < 0) {
            throw new SysException(call, errno());
        }
        return rc;
    }

    private static long check(String call, long rc) {
        if (rc < 0) {
            throw new SysException(call, errno());
        }
        return rc;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) {
        try {
            return check("socket", (int) SOCKET.invokeExact(STATE.get(), domain, type, protocol));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** bind(2) of an AF_NETLINK socket to a port id (0: let the kernel choose) and multicast group mask. */
    public static void bindNetlink(int fd, int portId, int groups) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = netlinkAddress(arena, portId, groups);
            check("bind", (int) BIND.invokeExact(STATE.get(), fd, addr, (int) addr.byteSize()));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** AF_PACKET: link-layer sockets. */
    public static final int AF_PACKET = 17;

    /**
     * bind(2) of an AF_PACKET socket to one interface: {@code struct sockaddr_ll} with the protocol
     * (host order here, written big-endian) and the interface index.
     */
    public static void bindPacket(int fd, int protocol, int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(20, 4);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_PACKET);
            addr.set(ValueLayout.JAVA_SHORT, 2, Short.reverseBytes((short) protocol));
            addr.set(JAVA_INT, 4, ifindex);
            check("bind", (int) BIND.invokeExact(STATE.get(), fd, addr, (int) addr.byteSize()));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** AF_INET. */
    public static final int AF_INET = 2;

    /**
     * connect(2) of an AF_INET socket to an IPv4 address and port ({@code struct sockaddr_in}): for a raw
     * socket, where its datagrams go.
     */
    public static void connectInet(int fd, byte[] ipv4, int port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(16, 4);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            addr.set(ValueLayout.JAVA_SHORT, 2, Short.reverseBytes((short) port));
            for (int i = 0; i < 4; i++) {
                addr.set(ValueLayout.JAVA_BYTE, 4 + i, ipv4[i]);
            }
            check("connect", (int) CONNECT.invokeExact(STATE.get(), fd, addr, (int) addr.byteSize()));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockname(2) of an AF_NETLINK socket: returns the port id the kernel assigned. */
    public static int netlinkPortId(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = netlinkAddress(arena, 0, 0);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, (int) addr.byteSize());
            check("getsockname", (int) GETSOCKNAME.invokeExact(STATE.get(), fd, addr, len));
            return addr.get(JAVA_INT, 4);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment netlinkAddress(Arena arena, int portId, int groups) {
        MemorySegment addr = arena.allocate(12, 4);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
        addr.set(JAVA_INT, 4, portId);
        addr.set(JAVA_INT, 8, groups);
        return addr;
    }

    /** setsockopt(2) with an int value. */
    public static void setsockopt(int fd, int level, int option, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            check("setsockopt", (int) SETSOCKOPT.invokeExact(STATE.get(), fd, level, option, v, 4));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(2) SO_RCVTIMEO: a receive timeout as struct timeval. */
    public static void setReceiveTimeout(int fd, long micros) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(16, 8);
            tv.set(JAVA_LONG, 0, micros / 1_000_000);
            tv.set(JAVA_LONG, 8, micros % 1_000_000);
            check("setsockopt", (int) SETSOCKOPT.invokeExact(STATE.get(), fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** send(2) of {@code length} bytes of a native segment. */
    public static long send(int fd, MemorySegment buf, long length, int flags) {
        try {
            return check("send", (long) SEND.invokeExact(STATE.get(), fd, buf, length, flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recv(2) into a native segment; returns the byte count (the full datagram size with MSG_TRUNC). */
    public static long recv(int fd, MemorySegment buf, int flags) {
        try {
            return check("recv", (long) RECV.invokeExact(STATE.get(), fd, buf, buf.byteSize(), flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2). */
    public static void close(int fd) {
        try {
            check("close", (int) CLOSE.invokeExact(STATE.get(), fd));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** open(2) read-only with close-on-exec: for namespace files. */
    public static int openReadOnly(String path) {
        return open(path, O_RDONLY, 0);
    }

    /** open(2) with the given flags and mode; close-on-exec is always added. */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            return check("open " + path, (int) OPEN.invokeExact(STATE.get(), p, flags | O_CLOEXEC, mode));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** linkat(2) of an open file ({@link #AT_EMPTY_PATH}): one more name for the file behind {@code fd}. */
    public static void linkFd(int fd, String newPath) {
        try (Arena arena = Arena.ofConfined()) {
            check("link " + newPath, (int) LINKAT.invokeExact(STATE.get(), fd, arena.allocateFrom(""), AT_FDCWD,
                    arena.allocateFrom(newPath), AT_EMPTY_PATH));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setns(2): moves the calling OS thread into the namespace behind {@code fd}. */
    public static void setns(int fd, int nstype) {
        try {
            check("setns", (int) SETNS.invokeExact(STATE.get(), fd, nstype));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** unshare(2): gives the calling OS thread new namespaces of the given kinds. */
    public static void unshare(int flags) {
        try {
            check("unshare", (int) UNSHARE.invokeExact(STATE.get(), flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mount(2); {@code source} and {@code fstype} may be empty strings. */
    public static void mount(String source, String target, String fstype, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) MOUNT.invokeExact(STATE.get(), arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(fstype), flags, MemorySegment.NULL);
            check("mount " + target, rc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** umount2(2). */
    public static void umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            check("umount " + target, (int) UMOUNT2.invokeExact(STATE.get(), arena.allocateFrom(target), flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
