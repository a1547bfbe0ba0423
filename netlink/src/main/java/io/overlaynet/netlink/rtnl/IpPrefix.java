package io.overlaynet.netlink.rtnl;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length, as in {@code 12.12.12.1/24}. */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        Check.prefixLength(address, length);
    }

    /** Parses {@code ADDR/LEN}; a bare address gets the full length (/32 or /128). */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        InetAddress a = Ip.parse(slash < 0 ? text : text.substring(0, slash));
        if (slash < 0) {
            return new IpPrefix(a, a.getAddress().length * 8);
        }
        try {
            return new IpPrefix(a, Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed prefix '" + text + "': expected ADDRESS/LENGTH like 12.12.12.0/24");
        }
    }

    /** The network address: host bits cleared. */
    public IpPrefix network() {
        byte[] b = address.getAddress();
        for (int bit = length; bit < b.length * 8; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new IpPrefix(of(b), length);
    }

    public boolean contains(InetAddress other) {
        if (other.getAddress().length != address.getAddress().length) {
            return false;
        }
        return new IpPrefix(other, length).network().equals(network());
    }

    /** The n-th address in this prefix's network (0 is the network address itself). */
    public InetAddress addressAt(long n) {
        byte[] base = network().address().getAddress();
        BigInteger v = new BigInteger(1, base).add(BigInteger.valueOf(n));
        byte[] raw = v.toByteArray();
        byte[] out = new byte[base.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        return of(out);
    }

    /** An IPv4 prefix's broadcast address: the last address of its network. */
    public InetAddress broadcast() {
        return addressAt((1L << (32 - length)) - 1);
    }

    private static InetAddress of(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    public int family() {
        return address.getAddress().length == 4 ? 2 : 10;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
