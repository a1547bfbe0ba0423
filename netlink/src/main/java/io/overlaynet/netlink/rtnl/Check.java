package io.overlaynet.netlink.rtnl;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * Input checks done before anything reaches the kernel, each failing with a message that names the
 * value, what is wrong and what is allowed.
 */
public final class Check {
    /** IFNAMSIZ - 1: the longest interface name Linux accepts, in bytes. */
    public static final int LINK_NAME_MAX = 15;
    public static final int VNI_MIN = 1;
    public static final int VNI_MAX = 16_777_215;
    public static final int MTU_MIN = 68;
    public static final int MTU_MAX = 65_535;

    private Check() {
    }

    public static String linkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("link name is empty: give 1-15 bytes");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > LINK_NAME_MAX) {
            throw new IllegalArgumentException("link name '" + name + "' is " + bytes
                    + " bytes; Linux allows at most 15");
        }
        if (name.contains("/") || name.contains(":") || name.chars().anyMatch(Character::isWhitespace)
                || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("link name '" + name
                    + "' is not allowed: no '/', ':' or spaces, and not '.' or '..'");
        }
        return name;
    }

    public static int vni(int vni) {
        if (vni < VNI_MIN || vni > VNI_MAX) {
            throw new IllegalArgumentException("VNI " + vni + " is out of range: use 1..16777215");
        }
        return vni;
    }

    public static int mtu(int mtu) {
        if (mtu < MTU_MIN || mtu > MTU_MAX) {
            throw new IllegalArgumentException("MTU " + mtu + " is out of range: use 68..65535");
        }
        return mtu;
    }

    public static int port(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("UDP port " + port + " is out of range: use 1..65535");
        }
        return port;
    }

    public static int prefixLength(InetAddress address, int length) {
        int max = address.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length /" + length + " is out of range for "
                    + address.getHostAddress() + ": use 0.." + max);
        }
        return length;
    }
}
