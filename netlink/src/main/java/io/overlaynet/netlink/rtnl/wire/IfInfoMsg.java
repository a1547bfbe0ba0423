package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.Body;

import java.nio.ByteBuffer;

/** struct ifinfomsg: family, device type, interface index, flags and the mask of flags to change. */
public record IfInfoMsg(int family, int type, int index, int flags, int change) implements Body {
    public static final int SIZE = 16;

    public static IfInfoMsg of(int index) {
        return new IfInfoMsg(Rtm.AF_UNSPEC, 0, index, 0, 0);
    }

    public static IfInfoMsg decode(ByteBuffer b) {
        int family = Byte.toUnsignedInt(b.get(0));
        int type = Short.toUnsignedInt(b.getShort(2));
        return new IfInfoMsg(family, type, b.getInt(4), b.getInt(8), b.getInt(12));
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer out) {
        out.put((byte) family).put((byte) 0).putShort((short) type).putInt(index).putInt(flags).putInt(change);
    }
}
