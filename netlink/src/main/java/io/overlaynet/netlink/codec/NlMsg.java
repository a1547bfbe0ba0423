package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: its header and a private copy of its payload (everything after the
 * 16-byte header).
 */
public record NlMsg(NlMsgHeader header, byte[] payload) {

    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    }

    public int type() {
        return header.type();
    }

    /** Splits a datagram into messages; a message that overruns the datagram is an error. */
    public static List<NlMsg> split(ByteBuffer datagram) {
        ByteBuffer buf = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<NlMsg> out = new ArrayList<>();
        while (buf.remaining() >= Netlink.HEADER_LENGTH) {
            int start = buf.position();
            NlMsgHeader h = NlMsgHeader.decode(buf);
            if (h.length() < Netlink.HEADER_LENGTH || start + h.length() > buf.limit()) {
                throw new CodecException("netlink message at offset " + start + " claims length " + h.length()
                        + ", datagram has " + (buf.limit() - start) + " bytes left");
            }
            byte[] payload = new byte[h.length() - Netlink.HEADER_LENGTH];
            buf.get(payload);
            out.add(new NlMsg(h, payload));
            buf.position(Math.min(buf.limit(), start + Netlink.align(h.length())));
        }
        return out;
    }

    /** Attributes that follow a fixed body of {@code bodySize} bytes. */
    public Attrs attrs(int bodySize) {
        ByteBuffer b = payloadBuffer();
        return Attrs.parse(b, Netlink.align(bodySize), b.limit());
    }
}
