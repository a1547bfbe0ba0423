package io.overlaynet.netlink.codec;

import java.nio.ByteBuffer;

/**
 * How one attribute value is laid out on the wire.
 *
 * @param <T> the Java type of the value
 */
public interface Codec<T> {
    /** Decodes a value from {@code value}, a buffer holding exactly the attribute's payload. */
    T decode(ByteBuffer value);

    /** Payload size in bytes, before alignment padding. */
    int size(T value);

    /** Writes the payload at the buffer's position. */
    void encode(ByteBuffer out, T value);
}
