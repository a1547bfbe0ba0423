package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.Body;

import java.nio.ByteBuffer;

/** struct rtmsg: family, destination and source prefix lengths, TOS, table, protocol, scope, type, flags. */
public record RtMsg(int family, int dstLength, int srcLength, int tos, int table, int protocol, int scope,
                    int type, int flags) implements Body {
    public static final int SIZE = 12;

    public static RtMsg decode(ByteBuffer b) {
        return new RtMsg(u8(b, 0), u8(b, 1), u8(b, 2), u8(b, 3), u8(b, 4), u8(b, 5), u8(b, 6), u8(b, 7), b.getInt(8));
    }

    private static int u8(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at));
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer out) {
        out.put((byte) family).put((byte) dstLength).put((byte) srcLength).put((byte) tos).put((byte) table)
                .put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags);
    }
}
