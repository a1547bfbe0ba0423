package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.Body;

import java.nio.ByteBuffer;

/** struct ndmsg: family, interface index, NUD state, NTF flags and type. */
public record NdMsg(int family, int index, int state, int flags, int type) implements Body {
    public static final int SIZE = 12;

    public static NdMsg decode(ByteBuffer b) {
        return new NdMsg(Byte.toUnsignedInt(b.get(0)), b.getInt(4), Short.toUnsignedInt(b.getShort(8)),
                Byte.toUnsignedInt(b.get(10)), Byte.toUnsignedInt(b.get(11)));
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer out) {
        out.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putShort((short) state)
                .put((byte) flags).put((byte) type);
    }
}
