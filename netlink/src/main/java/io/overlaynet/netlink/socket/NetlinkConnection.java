package io.overlaynet.netlink.socket;

import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.Netlink;
import io.overlaynet.netlink.codec.NlMsg;
import io.overlaynet.netlink.codec.NlMsgErr;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Request/response over one {@link NetlinkSocket}: single requests acknowledged by the kernel, dumps
 * of many parts, and pipelined batches. Every reply is matched to its request by sequence number and
 * port id; stale replies (from a request that timed out earlier) are skipped. Thread-safe: callers
 * take turns.
 */
public final class NetlinkConnection implements AutoCloseable {
    /** Requests per datagram in a batch; the ACKs of one window must fit the receive buffer. */
    private static final int BATCH_WINDOW = 512;
    private static final int BATCH_BYTES = 96 * 1024;
    private static final int RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
    private static final int DUMP_RETRIES = 5;

    private final NetlinkSocket socket;
    private final Duration timeout;
    private final MessageWriter writer = new MessageWriter(4096);
    private int seq = (int) (System.nanoTime() & 0x3fff_ffff);

    public NetlinkConnection(NetlinkSocket socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
        socket.receiveTimeout(timeout);
        socket.receiveBufferSize(RECEIVE_BUFFER_BYTES);
        socket.sendBufferSize(BATCH_BYTES * 2);
    }

    public NetlinkSocket socket() {
        return socket;
    }

    /** Sends one request and waits for the kernel's ACK; throws the typed error on refusal. */
    public synchronized void execute(Request request) {
        int s = send(request, Netlink.NLM_F_ACK);
        awaitReplies(request, s, false);
    }

    /**
     * Sends one request that the kernel answers with data (e.g. RTM_GETLINK for one link) and returns
     * the answer's messages.
     */
    public synchronized List<NlMsg> query(Request request) {
        int s = send(request, Netlink.NLM_F_ACK);
        return awaitReplies(request, s, false);
    }

    /** Sends a dump request and collects every part until NLMSG_DONE; restarts an interrupted dump. */
    public synchronized List<NlMsg> dump(Request request) {
        for (int attempt = 1; ; attempt++) {
            int s = send(request, Netlink.NLM_F_DUMP);
            List<NlMsg> parts = awaitReplies(request, s, true);
            boolean interrupted = parts.stream().anyMatch(m -> m.header().has(Netlink.NLM_F_DUMP_INTR));
            if (!interrupted || attempt == DUMP_RETRIES) {
                return parts;
            }
        }
    }

    /**
     * Sends many requests pipelined: up to a window of them in one datagram, then reads the answers,
     * matched by sequence number. One request's failure does not stop the others.
     *
     * <p>Only the last request of a window asks for an ACK. The kernel answers every failed request with
     * an error regardless, in order, so the last request's ACK (or error) closes the window: successes
     * cost no ACK message at all, which is most of a batch.
     */
    public synchronized BatchResult batch(List<Request> requests) {
        List<BatchResult.Failure> failures = new ArrayList<>();
        List<NlMsg> replies = new ArrayList<>();
        int index = 0;
        while (index < requests.size()) {
            writer.clear();
            int first = nextSeq();
            int count = 0;
            int end = Math.min(requests.size(), index + BATCH_WINDOW);
            while (true) {
                Request r = requests.get(index + count);
                // The window closes at its size, or early when the datagram grows large.
                boolean last = index + count + 1 == end || writer.position() >= BATCH_BYTES;
                writer.begin(r.type(), r.flags() | Netlink.NLM_F_REQUEST | (last ? Netlink.NLM_F_ACK : 0),
                        count == 0 ? first : nextSeq());
                r.body().accept(writer);
                writer.end();
                count++;
                if (last) {
                    break;
                }
            }
            socket.send(writer.written());
            collectAnswers(requests, index, first, count, failures, replies);
            index += count;
        }
        return new BatchResult(requests.size(), failures, replies);
    }

    /**
     * Sends requests as one transaction of a subsystem that batches (nf_tables): {@code begin}, the
     * requests, {@code end}, in one datagram, applied by the kernel all or none. Every request asks for
     * an ACK (the kernel never answers the end message); the first refusal is thrown, with the kernel's
     * own text.
     */
    public synchronized void transaction(Request begin, List<Request> requests, Request end) {
        writer.clear();
        writer.begin(begin.type(), begin.flags() | Netlink.NLM_F_REQUEST, nextSeq());
        begin.body().accept(writer);
        writer.end();
        int first = nextSeq();
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            writer.begin(r.type(), r.flags() | Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, i == 0 ? first : nextSeq());
            r.body().accept(writer);
            writer.end();
        }
        writer.begin(end.type(), end.flags() | Netlink.NLM_F_REQUEST, nextSeq());
        end.body().accept(writer);
        writer.end();
        socket.send(writer.written());
        List<BatchResult.Failure> failures = new ArrayList<>();
        boolean[] answered = new boolean[requests.size()];
        int left = requests.size();
        while (left > 0) {
            for (NlMsg m : receive(requests.getLast())) {
                int offset = m.header().seq() - first;
                if (m.type() != Netlink.NLMSG_ERROR || offset < 0 || offset >= requests.size()
                        || m.header().portId() != socket.portId() || answered[offset]) {
                    continue;
                }
                answered[offset] = true;
                left--;
                NlMsgErr err = NlMsgErr.decode(m);
                if (!err.isAck()) {
                    failures.add(new BatchResult.Failure(offset, requests.get(offset), error(requests.get(offset), err)));
                }
            }
        }
        new BatchResult(requests.size(), failures, List.of()).throwIfFailed();
    }

    /** Reads until the window's last request is answered; records every error and echo on the way. */
    private void collectAnswers(List<Request> requests, int base, int firstSeq, int count,
                                List<BatchResult.Failure> failures, List<NlMsg> replies) {
        int lastOffset = count - 1;
        while (true) {
            for (NlMsg m : receive(requests.get(base + lastOffset))) {
                int offset = m.header().seq() - firstSeq;
                if (offset < 0 || offset >= count || m.header().portId() != socket.portId()) {
                    continue;
                }
                if (m.type() != Netlink.NLMSG_ERROR) {
                    replies.add(m);
                    continue;
                }
                NlMsgErr err = NlMsgErr.decode(m);
                if (!err.isAck()) {
                    Request r = requests.get(base + offset);
                    failures.add(new BatchResult.Failure(base + offset, r, error(r, err)));
                }
                if (offset == lastOffset) {
                    return;
                }
            }
        }
    }

    private int send(Request request, int extraFlags) {
        writer.clear();
        int s = nextSeq();
        writer.begin(request.type(), request.flags() | Netlink.NLM_F_REQUEST | extraFlags, s);
        request.body().accept(writer);
        writer.end();
        socket.send(writer.written());
        return s;
    }

    private List<NlMsg> awaitReplies(Request request, int s, boolean dump) {
        List<NlMsg> data = new ArrayList<>();
        while (true) {
            for (NlMsg m : receive(request)) {
                if (m.header().seq() != s || m.header().portId() != socket.portId()) {
                    continue;
                }
                switch (m.type()) {
                    case Netlink.NLMSG_ERROR -> {
                        NlMsgErr err = NlMsgErr.decode(m);
                        if (!err.isAck()) {
                            throw error(request, err);
                        }
                        return data;
                    }
                    case Netlink.NLMSG_DONE -> {
                        int status = m.payload().length >= 4 ? m.payloadBuffer().getInt(0) : 0;
                        if (status < 0) {
                            throw NetlinkException.of(request.operation(), request.object(), -status,
                                    Optional.empty());
                        }
                        return data;
                    }
                    case Netlink.NLMSG_NOOP, Netlink.NLMSG_OVERRUN -> {
                    }
                    default -> {
                        data.add(m);
                        if (!dump && !m.header().has(Netlink.NLM_F_MULTI)) {
                            // A single answer; the ACK we asked for follows and is read above.
                            continue;
                        }
                    }
                }
            }
        }
    }

    private List<NlMsg> receive(Request request) {
        ByteBuffer datagram;
        try {
            datagram = socket.receive();
        } catch (NetlinkSocket.ReceiveTimeoutException e) {
            throw new NetlinkException.Timeout(request.operation(), request.object(),
                    "no answer from the kernel within " + timeout.toMillis() + " ms");
        }
        return NlMsg.split(datagram);
    }

    private static NetlinkException error(Request r, NlMsgErr err) {
        return NetlinkException.of(r.operation(), r.object(), err.errno(), err.message());
    }

    private int nextSeq() {
        seq = (seq + 1) & 0x7fff_ffff;
        return seq == 0 ? ++seq : seq;
    }

    @Override
    public void close() {
        socket.close();
    }
}
