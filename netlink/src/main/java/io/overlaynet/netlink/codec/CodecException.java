package io.overlaynet.netlink.codec;

/** A message that cannot be encoded or decoded: truncated input, an impossible length, a bad value. */
public final class CodecException extends RuntimeException {
    public CodecException(String message) {
        super(message);
    }
}
