package io.overlaynet.netlink.socket;

import io.overlaynet.netlink.codec.MessageWriter;
import io.overlaynet.netlink.codec.Netlink;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One netlink request before it has a sequence number: message type, the request-specific flags
 * (NLM_F_CREATE, NLM_F_EXCL, ...; REQUEST and ACK are added when sent), a writer for the body and
 * attributes, and what to call it in errors: the operation ("fdb add") and the object
 * ("02:42:0c:0c:0c:02 dev vxlan1 dst 192.168.104.3"), the latter built only when an error needs it,
 * so bulk batches do not pay for strings they never print.
 */
public record Request(int type, int flags, Consumer<MessageWriter> body, String operation,
                      Supplier<String> describer) {

    public Request(int type, int flags, Consumer<MessageWriter> body, String operation, String object) {
        this(type, flags, body, operation, () -> object);
    }

    /**
     * The same request asking the kernel to send back what it made (NLM_F_ECHO), e.g. a new link with
     * its index; in a batch the copy arrives in {@link BatchResult#replies()}.
     */
    public Request echo() {
        return new Request(type, flags | Netlink.NLM_F_ECHO, body, operation, describer);
    }

    public String object() {
        return describer.get();
    }

    public String describe() {
        String object = object();
        return object.isEmpty() ? operation : operation + " " + object;
    }
}
