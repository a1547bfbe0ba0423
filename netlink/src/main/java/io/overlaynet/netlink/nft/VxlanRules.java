package io.overlaynet.netlink.nft;

import java.util.ArrayList;
import java.util.List;

/** The rules of overlaynet's VTEP allow-list, built from expressions. */
public final class VxlanRules {
    /** Where the 24-bit VNI sits in a UDP datagram: after the 8-byte UDP header and 4 bytes of flags. */
    private static final int VNI_OFFSET = 12;

    private VxlanRules() {
    }

    /**
     * {@code udp dport PORT @th,96,24 VNI ip saddr != @SET1 ip saddr != @SET2 ... counter drop}: VXLAN
     * datagrams of one network whose sender is in none of the sets are counted and dropped.
     */
    public static List<Expr> dropUnlessFrom(int port, int vni, List<String> sets) {
        List<Expr> out = new ArrayList<>(udpTo(port));
        out.add(new Expr.Payload(Expr.PAYLOAD_TRANSPORT, VNI_OFFSET, 3, Expr.REG_1));
        out.add(new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, new byte[]{(byte) (vni >> 16), (byte) (vni >> 8), (byte) vni}));
        out.add(new Expr.Payload(Expr.PAYLOAD_NETWORK, 12, 4, Expr.REG_1));
        for (String set : sets) {
            out.add(new Expr.Lookup(set, Expr.REG_1, true));
        }
        out.add(new Expr.Counter());
        out.add(new Expr.Drop());
        return out;
    }

    /**
     * {@code udp dport PORT meta skuid != 4294967295 counter drop}: datagrams to a VXLAN port sent from a
     * user's socket in this namespace are counted and dropped. The kernel's VXLAN sockets own no file,
     * so {@code meta skuid} has no value for them (nor for packets of other namespaces' sockets) and the
     * rule stops before its verdict: the overlay's own traffic passes.
     */
    public static List<Expr> dropFromUserSockets(int port) {
        List<Expr> out = new ArrayList<>(udpTo(port));
        out.add(new Expr.Meta(Expr.META_SKUID, Expr.REG_1));
        out.add(new Expr.Cmp(Expr.REG_1, Expr.CMP_NEQ, new byte[]{-1, -1, -1, -1}));
        out.add(new Expr.Counter());
        out.add(new Expr.Drop());
        return out;
    }

    private static List<Expr> udpTo(int port) {
        return List.of(new Expr.Meta(Expr.META_L4PROTO, Expr.REG_1), new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, new byte[]{17}),
                new Expr.Payload(Expr.PAYLOAD_TRANSPORT, 2, 2, Expr.REG_1),
                new Expr.Cmp(Expr.REG_1, Expr.CMP_EQ, new byte[]{(byte) (port >> 8), (byte) port}));
    }
}
