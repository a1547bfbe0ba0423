package io.overlaynet.netlink;

import io.overlaynet.netlink.sys.Errno;

import java.util.Optional;

/**
 * A netlink operation that failed: what was being done ({@code operation}, e.g. "link add"), on which
 * object (e.g. "vxlan1 type vxlan id 42"), the errno the kernel returned, and the kernel's own
 * extended-ACK text when it gave one. The subclass says what kind of failure it was.
 */
public sealed class NetlinkException extends RuntimeException
        permits NetlinkException.Exists, NetlinkException.NotFound, NetlinkException.Permission,
        NetlinkException.InvalidArgument, NetlinkException.Busy, NetlinkException.Timeout {
    private final String operation;
    private final String object;
    private final int errno;
    private final Optional<String> kernelMessage;

    NetlinkException(String operation, String object, int errno, Optional<String> kernelMessage, String detail) {
        super(compose(operation, object, errno, kernelMessage, detail));
        this.operation = operation;
        this.object = object;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    /** The exception that fits an errno from the kernel. */
    public static NetlinkException of(String operation, String object, int errno, Optional<String> kernelMessage) {
        return switch (errno) {
            case Errno.EEXIST -> new Exists(operation, object, errno, kernelMessage);
            case Errno.ENOENT, Errno.ENODEV, Errno.ESRCH, Errno.EADDRNOTAVAIL ->
                    new NotFound(operation, object, errno, kernelMessage);
            case Errno.EPERM, Errno.EACCES -> new Permission(operation, object, errno, kernelMessage);
            case Errno.EINVAL, Errno.ERANGE, Errno.EOPNOTSUPP, Errno.EAFNOSUPPORT, Errno.ENETUNREACH ->
                    new InvalidArgument(operation, object, errno, kernelMessage);
            case Errno.EBUSY, Errno.EADDRINUSE -> new Busy(operation, object, errno, kernelMessage);
            default -> new NetlinkException(operation, object, errno, kernelMessage, "");
        };
    }

    private static String compose(String operation, String object, int errno, Optional<String> kernel,
                                  String detail) {
        StringBuilder sb = new StringBuilder(operation);
        if (!object.isEmpty()) {
            sb.append(' ').append(object);
        }
        sb.append(": ").append(errno == 0 ? detail : Errno.describe(errno));
        kernel.ifPresent(k -> sb.append("; kernel says: ").append(k));
        return sb.toString();
    }

    public String operation() {
        return operation;
    }

    public String object() {
        return object;
    }

    /** The positive errno, or 0 when the failure did not come from the kernel (a timeout). */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    public Optional<String> kernelMessage() {
        return kernelMessage;
    }

    /** The object already exists (EEXIST). */
    public static final class Exists extends NetlinkException {
        Exists(String op, String obj, int errno, Optional<String> k) {
            super(op, obj, errno, k, "");
        }
    }

    /** The object or something it refers to does not exist (ENOENT, ENODEV, ESRCH, EADDRNOTAVAIL). */
    public static final class NotFound extends NetlinkException {
        NotFound(String op, String obj, int errno, Optional<String> k) {
            super(op, obj, errno, k, "");
        }
    }

    /** Not allowed: run as root or with CAP_NET_ADMIN (EPERM, EACCES). */
    public static final class Permission extends NetlinkException {
        Permission(String op, String obj, int errno, Optional<String> k) {
            super(op, obj, errno, k, "");
        }
    }

    /** The kernel refused a value (EINVAL, ERANGE, EOPNOTSUPP, ...). */
    public static final class InvalidArgument extends NetlinkException {
        InvalidArgument(String op, String obj, int errno, Optional<String> k) {
            super(op, obj, errno, k, "");
        }
    }

    /** In use (EBUSY, EADDRINUSE). */
    public static final class Busy extends NetlinkException {
        Busy(String op, String obj, int errno, Optional<String> k) {
            super(op, obj, errno, k, "");
        }
    }

    /** No answer from the kernel in time. */
    public static final class Timeout extends NetlinkException {
        public Timeout(String op, String obj, String detail) {
            super(op, obj, 0, Optional.empty(), detail);
        }
    }
}
