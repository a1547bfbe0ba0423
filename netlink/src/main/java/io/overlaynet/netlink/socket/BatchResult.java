package io.overlaynet.netlink.socket;

import io.overlaynet.netlink.NetlinkException;

import java.util.List;

/**
 * What a pipelined batch did: how many requests were sent and which failed, with the exception each
 * would have thrown on its own.
 */
public record BatchResult(int sent, List<Failure> failures) {

    public record Failure(int index, Request request, NetlinkException error) {
    }

    public BatchResult {
        failures = List.copyOf(failures);
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
