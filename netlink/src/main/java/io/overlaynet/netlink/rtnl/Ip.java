package io.overlaynet.netlink.rtnl;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IP address literals: parsed without any name lookup, printed the way iproute2 prints them. */
public final class Ip {
    private Ip() {
    }

    /** Parses an IPv4 or IPv6 literal; a host name or anything else is an error, never a DNS query. */
    public static InetAddress parse(String text) {
        try {
            return InetAddress.ofLiteral(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed IP address '" + text
                    + "': expected an IPv4 or IPv6 literal like 12.12.12.2");
        }
    }

    public static Inet4Address parseV4(String text) {
        if (parse(text) instanceof Inet4Address v4) {
            return v4;
        }
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
    }

    public static String format(InetAddress address) {
        return address.getHostAddress();
    }
}
