package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;

/**
 * struct nlmsghdr: total length, message type, flags, sequence number and sender port id.
 */
public record NlMsgHeader(int length, int type, int flags, int seq, int portId) {

    /** Reads a header at the buffer's position and advances past it. */
    public static NlMsgHeader decode(ByteBuffer buf) {
        if (buf.remaining() < Netlink.HEADER_LENGTH) {
            throw new CodecException("netlink header needs 16 bytes, " + buf.remaining() + " left");
        }
        int length = buf.getInt();
        int type = Short.toUnsignedInt(buf.getShort());
        int flags = Short.toUnsignedInt(buf.getShort());
        int seq = buf.getInt();
        int portId = buf.getInt();
        return new NlMsgHeader(length, type, flags, seq, portId);
    }

    public void encode(ByteBuffer buf) {
        buf.putInt(length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId);
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
