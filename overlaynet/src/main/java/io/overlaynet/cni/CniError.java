package io.overlaynet.cni;

/**
 * A CNI error: one of the spec's well-known codes (0-99) or overlaynet's own (100+), and a one-line
 * message that says what to do. Becomes the error JSON on the plugin's stdout.
 */
public final class CniError extends RuntimeException {
    /** The configuration asks for a CNI version the plugin does not speak. */
    public static final int INCOMPATIBLE_VERSION = 1;
    /** A CNI_* variable is missing or wrong. */
    public static final int INVALID_ENVIRONMENT = 4;
    /** Something failed on the host (a kernel or store call). */
    public static final int IO_FAILURE = 5;
    /** The configuration is not JSON. */
    public static final int DECODE_FAILURE = 6;
    /** The configuration is JSON but wrong (unknown network, an IP outside it, ...). */
    public static final int INVALID_CONFIG = 7;
    /** Transient: the agent cannot take the call now. */
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS: the plugin cannot take an ADD now. */
    public static final int NOT_AVAILABLE = 50;
    /** CHECK found the container's interface, address, routes or record not as ADD left them. */
    public static final int CHECK_FAILED = 100;

    private final int code;

    public CniError(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
