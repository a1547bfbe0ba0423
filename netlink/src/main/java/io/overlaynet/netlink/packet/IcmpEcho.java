package io.overlaynet.netlink.packet;

import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code ping -c 1}, without the ping binary: one ICMP echo request from a raw socket opened inside a
 * namespace, and its reply's round-trip time. Each probe has an id of its own, so probes running at
 * once in one namespace do not take each other's replies.
 */
public final class IcmpEcho {
    private static final int IPPROTO_ICMP = 1;
    private static final int ECHO_REQUEST = 8;
    private static final int ECHO_REPLY = 0;
    private static final int PAYLOAD = 56;
    private static final int MAX_PAYLOAD = 9000;
    private static final int IPPROTO_IP = 0;
    private static final int IP_MTU_DISCOVER = 10;
    /** Set DF and ignore the cached path MTU: the probe tests the path, not what the kernel remembers. */
    private static final int IP_PMTUDISC_PROBE = 3;

    private IcmpEcho() {
    }

    /** The round-trip time in milliseconds, or empty when no reply came within {@code timeout}. */
    public static Optional<Double> ping(NetNs ns, Inet4Address to, Duration timeout) {
        return ns.call(() -> pingHere(to, timeout, PAYLOAD, false));
    }

    /**
     * {@code ping -c 1 -s PAYLOAD [-M do]}: an echo request carrying {@code payload} bytes; with
     * {@code dontFragment} the packet is sent with DF set and never fragmented (a path whose MTU is too
     * small for it drops it, or the kernel refuses it, which counts as no reply).
     */
    public static Optional<Double> ping(NetNs ns, Inet4Address to, Duration timeout, int payload, boolean dontFragment) {
        if (payload < 8 || payload > MAX_PAYLOAD) {
            throw new IllegalArgumentException("ICMP payload of " + payload + " bytes: use 8.." + MAX_PAYLOAD);
        }
        return ns.call(() -> pingHere(to, timeout, payload, dontFragment));
    }

    private static Optional<Double> pingHere(Inet4Address to, Duration timeout, int payload, boolean dontFragment) {
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, IPPROTO_ICMP);
        try (Arena arena = Arena.ofConfined()) {
            Libc.connectInet(fd, to.getAddress(), 0);
            Libc.setReceiveTimeout(fd, 50_000);
            if (dontFragment) {
                Libc.setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
            }
            int id = ThreadLocalRandom.current().nextInt(1, 0xffff);
            byte[] request = request(id, 1, payload);
            MemorySegment buf = arena.allocate(MAX_PAYLOAD + 128, 8);
            MemorySegment.copy(request, 0, buf, ValueLayout.JAVA_BYTE, 0, request.length);
            long t0 = System.nanoTime();
            try {
                Libc.send(fd, buf, request.length, 0);
            } catch (RuntimeException tooBig) {
                return Optional.empty(); // EMSGSIZE: larger than the route's MTU with DF set
            }
            long deadline = t0 + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                long n;
                try {
                    n = Libc.recv(fd, buf, 0);
                } catch (RuntimeException timedOut) {
                    continue; // the 50 ms receive timeout: look at the deadline again
                }
                byte[] packet = buf.asSlice(0, Math.min(n, buf.byteSize())).toArray(ValueLayout.JAVA_BYTE);
                if (isReply(packet, to, id)) {
                    return Optional.of((System.nanoTime() - t0) / 1e6);
                }
            }
            return Optional.empty();
        } finally {
            Libc.close(fd);
        }
    }

    /** An echo request: type 8, code 0, checksum, id, sequence, and a payload of 56 bytes. */
    static byte[] request(int id, int seq) {
        return request(id, seq, PAYLOAD);
    }

    static byte[] request(int id, int seq, int payload) {
        byte[] p = new byte[8 + payload];
        p[0] = ECHO_REQUEST;
        p[4] = (byte) (id >> 8);
        p[5] = (byte) id;
        p[6] = (byte) (seq >> 8);
        p[7] = (byte) seq;
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) i;
        }
        int sum = checksum(p);
        p[2] = (byte) (sum >> 8);
        p[3] = (byte) sum;
        return p;
    }

    /** A raw socket hands over the IP header too: the reply must come from {@code from} and carry our id. */
    static boolean isReply(byte[] packet, Inet4Address from, int id) {
        if (packet.length < 20) {
            return false;
        }
        int ihl = (packet[0] & 0x0f) * 4;
        if (packet.length < ihl + 8 || !Arrays.equals(packet, 12, 16, from.getAddress(), 0, 4)) {
            return false;
        }
        int type = packet[ihl] & 0xff;
        int gotId = ((packet[ihl + 4] & 0xff) << 8) | (packet[ihl + 5] & 0xff);
        return type == ECHO_REPLY && gotId == id;
    }

    /** The Internet checksum (RFC 1071) of {@code data}. */
    static int checksum(byte[] data) {
        long sum = 0;
        for (int i = 0; i + 1 < data.length; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if ((data.length & 1) != 0) {
            sum += (data[data.length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
