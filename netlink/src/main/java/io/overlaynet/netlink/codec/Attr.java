package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * One raw attribute as read off the wire: its number (without the nested/byte-order flag bits),
 * those flag bits, and a copy of its payload.
 */
public record Attr(int number, int flagBits, byte[] value) {

    public boolean nested() {
        return (flagBits & Netlink.NLA_F_NESTED) != 0;
    }

    /** The payload as a little buffer in host byte order, ready for a {@link Codec}. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
    }

    public <T> T decode(Codec<T> codec) {
        return codec.decode(buffer());
    }

    @Override
    public String toString() {
        return number + "=" + HexFormat.of().formatHex(value);
    }
}
