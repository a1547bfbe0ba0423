package io.overlaynet.netlink.rtnl.wire;

import io.overlaynet.netlink.codec.Body;

import java.nio.ByteBuffer;

/** struct ifaddrmsg: family, prefix length, flags, scope and interface index. */
public record IfAddrMsg(int family, int prefixLength, int flags, int scope, int index) implements Body {
    public static final int SIZE = 8;

    public static IfAddrMsg decode(ByteBuffer b) {
        return new IfAddrMsg(Byte.toUnsignedInt(b.get(0)), Byte.toUnsignedInt(b.get(1)),
                Byte.toUnsignedInt(b.get(2)), Byte.toUnsignedInt(b.get(3)), b.getInt(4));
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer out) {
        out.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(index);
    }
}
