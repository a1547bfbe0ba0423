package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The payload of an NLMSG_ERROR message: the error (0 for an ACK, a negative errno otherwise), the
 * header of the request it answers, and the kernel's extended-ACK text when it sent one.
 */
public record NlMsgErr(int error, NlMsgHeader request, Optional<String> message, Optional<Integer> badAttrOffset) {

    public static NlMsgErr decode(NlMsg msg) {
        return CodecException.guard("error", () -> decodeUnchecked(msg));
    }

    private static NlMsgErr decodeUnchecked(NlMsg msg) {
        ByteBuffer b = msg.payloadBuffer();
        int error = b.getInt();
        NlMsgHeader request = NlMsgHeader.decode(b);
        Optional<String> text = Optional.empty();
        Optional<Integer> offset = Optional.empty();
        if (msg.header().has(Netlink.NLM_F_ACK_TLVS)) {
            // Without NLM_F_CAPPED the original request follows its header in full.
            int tlvStart = 4 + (msg.header().has(Netlink.NLM_F_CAPPED)
                    ? Netlink.HEADER_LENGTH : Netlink.align(request.length()));
            if (tlvStart <= b.limit()) {
                Attrs tlvs = Attrs.parse(b, tlvStart, b.limit());
                text = tlvs.raw(Netlink.NLMSGERR_ATTR_MSG).map(a -> a.decode(Codecs.STRING));
                offset = tlvs.raw(Netlink.NLMSGERR_ATTR_OFFS).map(a -> a.decode(Codecs.U32));
            }
        }
        return new NlMsgErr(error, request, text, offset);
    }

    public boolean isAck() {
        return error == 0;
    }

    /** The positive errno. */
    public int errno() {
        return -error;
    }
}
