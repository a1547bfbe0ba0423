package io.overlaynet.netlink.nft;

import io.overlaynet.netlink.rtnl.IpPrefix;

import java.util.List;

/** The rules overlaynet's egress builds from expressions. */
public final class EgressRules {
    private EgressRules() {
    }

    /**
     * {@code ip saddr SUBNET oifname != "DEV" masquerade}: what leaves a subnet's containers through any
     * interface but the one that leads back to them takes the output interface's address.
     */
    public static List<Expr> masquerade(IpPrefix subnet, String notOut) {
        IpPrefix net = subnet.network();
        byte[] mask = new byte[4];
        for (int i = 0; i < net.length(); i++) {
            mask[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return List.of(
                new Expr.Payload(Expr.PAYLOAD_NETWORK, 12, 4, Expr.REG_1),
                new Expr.Bitwise(Expr.REG_1, Expr.REG_1, mask, new byte[4]),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, net.address().getAddress()),
                new Expr.Meta(Expr.META_OIFNAME, Expr.REG_1),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_NEQ, Expr.ifname(notOut)),
                new Expr.Masquerade());
    }

    /**
     * {@code iifname "PREFIX*" oifname "PREFIX*" drop}: nothing passes between two interfaces of that
     * name prefix (two networks' ways out) through this host.
     */
    public static List<Expr> dropBetween(String prefix) {
        return List.of(
                new Expr.Meta(Expr.META_IIFNAME, Expr.REG_1),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, Expr.ifnamePrefix(prefix)),
                new Expr.Meta(Expr.META_OIFNAME, Expr.REG_1),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, Expr.ifnamePrefix(prefix)),
                new Expr.Drop());
    }

    /**
     * {@code ip daddr HOST meta l4proto PROTO th dport PORT dnat to ADDR:TO}: a published port, connections
     * to the host's address and port sent on to a container's.
     */
    public static List<Expr> publish(java.net.InetAddress host, int proto, int port, java.net.InetAddress to, int toPort) {
        return List.of(
                new Expr.Payload(Expr.PAYLOAD_NETWORK, 16, 4, Expr.REG_1),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, host.getAddress()),
                new Expr.Meta(Expr.META_L4PROTO, Expr.REG_1),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, new byte[]{(byte) proto}),
                new Expr.Payload(Expr.PAYLOAD_TRANSPORT, 2, 2, Expr.REG_1),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, new byte[]{(byte) (port >> 8), (byte) port}),
                new Expr.Immediate(Expr.REG_1, to.getAddress()),
                new Expr.Immediate(Expr.REG_2, new byte[]{(byte) (toPort >> 8), (byte) toPort}),
                new Expr.Dnat(Expr.REG_1, Expr.REG_2));
    }
}
