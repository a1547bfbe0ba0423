package io.overlaynet.netlink.socket;

import io.overlaynet.netlink.NetlinkException;
import io.overlaynet.netlink.codec.NlMsg;

import java.util.List;

/**
 * What a pipelined batch did: how many requests were sent and which failed, with the exception each
 * would have thrown on its own, and the messages the kernel sent back for requests that asked for
 * them ({@link Request#echo()}), in order.
 */
public record BatchResult(int sent, List<Failure> failures, List<NlMsg> replies) {

    public record Failure(int index, Request request, NetlinkException error) {
    }

    public BatchResult {
        failures = List.copyOf(failures);
        replies = List.copyOf(replies);
    }

    public boolean ok() {
        return failures.isEmpty();
    }

    public int succeeded() {
        return sent - failures.size();
    }

    /** Throws the first failure, noting how many others there were. */
    public void throwIfFailed() {
        if (!failures.isEmpty()) {
            NetlinkException first = failures.getFirst().error();
            if (failures.size() > 1) {
                first.addSuppressed(new IllegalStateException((failures.size() - 1)
                        + " more request(s) of the batch failed too"));
            }
            throw first;
        }
    }
}
