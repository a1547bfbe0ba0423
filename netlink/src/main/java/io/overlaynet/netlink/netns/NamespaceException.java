package io.overlaynet.netlink.netns;

/** A namespace that cannot be found, opened, created or removed; the message says which and why. */
public final class NamespaceException extends RuntimeException {
    public NamespaceException(String message) {
        super(message);
    }
}
