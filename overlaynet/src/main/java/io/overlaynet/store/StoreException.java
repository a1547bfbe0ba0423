package io.overlaynet.store;

/** The store could not be reached or refused an operation; the message names the store and the key. */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }
}
