package io.overlaynet.netlink.rtnl;

import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.netns.NetNs;
import io.overlaynet.netlink.rtnl.wire.Rtm;
import io.overlaynet.netlink.socket.NetlinkSocket;
import io.overlaynet.netlink.sys.Errno;
import io.overlaynet.netlink.sys.SysException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A socket subscribed to rtnetlink multicast groups in one namespace ({@code ip monitor link neigh}).
 * Read it with {@link #poll}, or hand it a listener with {@link #start}, which reads on its own
 * platform thread until {@link #close}.
 */
public final class EventSubscription implements AutoCloseable {
    /** The groups overlaynet listens to. */
    public enum Group {
        LINK(Rtm.GROUP_LINK), NEIGH(Rtm.GROUP_NEIGH), IPV4_ADDRESS(Rtm.GROUP_IPV4_IFADDR),
        IPV6_ADDRESS(Rtm.GROUP_IPV6_IFADDR);

        final int number;

        Group(int number) {
            this.number = number;
        }
    }

    private static final Duration POLL_SLICE = Duration.ofMillis(200);
    private static final int RECEIVE_BUFFER = 4 * 1024 * 1024;

    private final NetlinkSocket socket;
    private volatile boolean closing;
    private Thread reader;

    private EventSubscription(NetlinkSocket socket) {
        this.socket = socket;
    }

    static EventSubscription open(Optional<NetNs> ns, Group... groups) {
        NetlinkSocket s = ns.isPresent() ? ns.get().call(() -> NetlinkSocket.open(Netlink.NETLINK_ROUTE))
                : NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        try {
            s.receiveBufferSize(RECEIVE_BUFFER);
            for (Group g : groups) {
                s.joinGroup(g.number);
            }
            return new EventSubscription(s);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Waits up to {@code timeout} for the next datagram and returns its events (empty on timeout). */
    public synchronized List<RtEvent> poll(Duration timeout) {
        socket.receiveTimeout(timeout);
        try {
            List<RtEvent> out = new ArrayList<>();
            for (NlMsg m : NlMsg.split(socket.receive())) {
                try {
                    out.add(EventDecoder.decode(m));
                } catch (io.overlaynet.netlink.codec.CodecException malformed) {
                    out.add(new RtEvent.Other(m)); // kept undecoded: one bad message never stops the listener
                }
            }
            return out;
        } catch (io.overlaynet.netlink.codec.CodecException malformed) {
            // A datagram that cannot even be split: what it said is lost, as after an overrun.
            return List.of(new RtEvent.Overrun());
        } catch (NetlinkSocket.ReceiveTimeoutException e) {
            return List.of();
        } catch (SysException e) {
            if (e.errno() == Errno.ENOBUFS) {
                return List.of(new RtEvent.Overrun());
            }
            throw e;
        }
    }

    /** Delivers every event to {@code listener} on a dedicated platform thread until closed. */
    public synchronized void start(String threadName, Consumer<RtEvent> listener) {
        if (reader != null) {
            throw new IllegalStateException("subscription already started");
        }
        reader = Thread.ofPlatform().name(threadName).daemon(true).start(() -> {
            while (!closing) {
                for (RtEvent e : poll(POLL_SLICE)) {
                    listener.accept(e);
                }
            }
            socket.close();
        });
    }

    @Override
    public void close() {
        closing = true;
        Thread t;
        synchronized (this) {
            t = reader;
        }
        if (t == null) {
            socket.close();
            return;
        }
        try {
            t.join(POLL_SLICE.multipliedBy(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
