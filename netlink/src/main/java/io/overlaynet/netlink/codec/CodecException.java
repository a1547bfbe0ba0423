package io.overlaynet.netlink.codec;

/** A message that cannot be encoded or decoded: truncated input, an impossible length, a bad value. */
public final class CodecException extends RuntimeException {
    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Runs a decoder over bytes from outside the process. Whatever a malformed message makes it throw
     * (a value a record refuses, a missing attribute, a short buffer) leaves as this one exception, so
     * callers need catch only it.
     */
    public static <T> T guard(String what, java.util.function.Supplier<T> decoder) {
        try {
            return decoder.get();
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("malformed " + what + " message: " + e, e);
        }
    }
}
